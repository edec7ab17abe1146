// Delete before create: a delete that finds nothing must not report the group deleted while an apply that passed
// its last re-check before the deletion could still be about to create. Such an apply step started before the
// object's deletionTimestamp, and Lambda ends every step within its timeout, so once the timeout (and a margin for
// the call already on the wire) has passed since deletionTimestamp, nothing can be created any more: look again
// then, and delete whatever appeared.
import { ResourceBusyError, RetryableError } from '../../core/errors/index.js';

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

/**
 * Throws (ResourceBusyError, or RetryableError where the step's Retry only names that) while an apply could still
 * create what `what` names; the state machine retries the step.
 */
export function assertFencePassed(
  what: string,
  deletionTimestamp: string | undefined,
  now = Date.now(),
  fenceMs = deleteFenceMs(),
  errorClass: typeof RetryableError = ResourceBusyError,
): void {
  const left = fenceRemainingMs(deletionTimestamp, now, fenceMs);
  if (left > 0) {
    throw new errorClass(
      `${what} does not exist (yet); waiting ${Math.ceil(left / 1000)}s more for any apply that began before the deletion, then looking again`,
    );
  }
}
