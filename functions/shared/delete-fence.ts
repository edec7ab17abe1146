// Delete before create: a delete that finds nothing must not report the group deleted while an apply that passed
// its last re-check before the deletion could still be about to create. Such an apply step started before the
// object's deletionTimestamp, and Lambda ends every step within its timeout, so once the timeout (and a margin for
// the call already on the wire) has passed since deletionTimestamp, nothing can be created any more. Until then the
// delete workflow waits in a Wait state ("Wait For Earlier Applies") and looks again: a Wait, not a Retry, because
// a Retry's jittered pauses can run out before the fence has passed.

/** The longest apply step's Lambda timeout (60 s) plus a margin. */
export const DEFAULT_DELETE_FENCE_SECONDS = 120;

export function deleteFenceMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.DELETE_FENCE_SECONDS);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_DELETE_FENCE_SECONDS) * 1000;
}

/** Milliseconds until no apply step that began before the deletion can still be running; 0 when that is past. */
export function fenceRemainingMs(deletionTimestamp: string | undefined, now: number, fenceMs: number): number {
  if (!deletionTimestamp) return 0;
  const since = Date.parse(deletionTimestamp);
  return Number.isFinite(since) ? Math.max(0, since + fenceMs - now) : 0;
}

/** Whole seconds a delete that found nothing waits before it looks again; 0 once the fence has passed. */
export function fenceWaitSeconds(deletionTimestamp: string | undefined, now = Date.now(), fenceMs = deleteFenceMs()): number {
  return Math.ceil(fenceRemainingMs(deletionTimestamp, now, fenceMs) / 1000);
}

/** The decision's words while the delete waits out the fence. */
export function fenceSummary(what: string, seconds: number): string {
  return `${what} found; waiting ${seconds}s for any apply that began before the deletion, then looking again`;
}
