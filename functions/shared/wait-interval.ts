// Growing intervals for the waits that have no event source (EKS node groups, Fargate profiles): 5 s before the
// first check, then 10 s, 20 s, and 30 s at most. A change that settles quickly shows within seconds; a long
// one costs no more checks than the old flat 30 s loop. The Wait state reads it as `SecondsPath`.
export const WAIT_INTERVALS_SECONDS = [5, 10, 20, 30] as const;

/** Seconds to wait after `polls` checks (0 = right after the create/update/delete call). */
export function waitSecondsAfter(polls: number): number {
  const index = Math.max(0, Math.min(Math.floor(polls), WAIT_INTERVALS_SECONDS.length - 1));
  return WAIT_INTERVALS_SECONDS[index]!;
}
