// The one backoff rule of the project: the relay's watch and publish retries, the conflict retries inside a step
// and the CLI's polling all space their attempts with it. Step Functions' own Retry blocks are the other layer
// (generated from the error classes); a step retries in-process only what is cheaper than a new attempt, such as
// a 409 on a read-modify-write.

export interface BackoffPolicy {
  /** Delay before the second attempt. */
  initialMs: number;
  /** No delay grows past this. */
  maxMs: number;
  /** Spread around the nominal delay, as a fraction of it (0.2 → 0.8×…1.2×). Default 0.2. */
  jitter?: number;
}

/** Nominal delay after `failures` failures in a row (1 → initialMs, doubling, capped at maxMs), with jitter. */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  const spread = policy.jitter ?? 0.2;
  return nominal * (1 - spread + 2 * spread * random());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, `retryable(error)` says no, or `maxAttempts` attempts have failed; waits
 * backoffDelay() between attempts. The last error is thrown as it was.
 */
export async function retryWithBackoff<T>(
  attempt: (n: number) => Promise<T>,
  options: BackoffPolicy & { maxAttempts: number; retryable: (error: unknown) => boolean; signal?: AbortSignal },
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= options.maxAttempts || !options.retryable(error) || options.signal?.aborted) throw error;
      await sleep(backoffDelay(n, options), options.signal);
    }
  }
}
