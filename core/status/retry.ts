// How often a failure that a retry could fix is retried without a person: at most MAX_AUTOMATIC_ATTEMPTS attempts
// per generation, each one later than the last. Attempts are counted in blocks: a failure of attempt N×5 gives up
// (the group is Error, "gave up after 5 attempts"), and a replay after that (attempt N×5+1) starts a new block, as
// does a new generation (attempt 1).

export const MAX_AUTOMATIC_ATTEMPTS = 5;

/** Whether a retryable failure of this attempt ends the automatic retries. */
export function gaveUp(attempt: number, max = MAX_AUTOMATIC_ATTEMPTS): boolean {
  return attempt >= 1 && attempt % max === 0;
}

/**
 * How long after the relay saw attempt `failed` fail it sends the next one: at once (the next pass) after the first
 * failure of a block, then base, 3×base, 7×base…, capped at maxMs.
 */
export function retryDelayMs(failed: number, baseMs: number, maxMs: number): number {
  const step = (Math.max(1, failed) - 1) % MAX_AUTOMATIC_ATTEMPTS;
  return Math.min(maxMs, baseMs * (2 ** step - 1));
}

/** The longest wait between two automatic attempts. */
export const MAX_RETRY_DELAY_MS = 3600_000;

/**
 * An execution still reported Running when its state machine's own timeout has passed since it started is over (it
 * timed out, was aborted or failed without a report): the relay may start the next attempt.
 */
export const EXECUTION_OVER_AFTER_MS = 6 * 3600_000 + 10 * 60_000;
