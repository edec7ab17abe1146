import { backoffDelay, retryWithBackoff } from '../../../core/backoff/index.js';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 1000, jitter: 0 };

  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads the delay by the jitter fraction either side', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelay(1, jittered, () => 0)).toBeCloseTo(80);
    expect(backoffDelay(1, jittered, () => 1)).toBeCloseTo(120);
  });
});

describe('retryWithBackoff', () => {
  it('retries what is retryable until it succeeds', async () => {
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls++;
        if (calls < 3) throw new Error('conflict');
        return 'done';
      },
      { initialMs: 1, maxMs: 2, maxAttempts: 5, retryable: () => true },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('throws the last error once attempts run out, and at once when it is not retryable', async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error(`attempt ${calls}`);
    };
    await expect(retryWithBackoff(failing, { initialMs: 1, maxMs: 1, maxAttempts: 3, retryable: () => true })).rejects.toThrow('attempt 3');
    calls = 0;
    await expect(retryWithBackoff(failing, { initialMs: 1, maxMs: 1, maxAttempts: 3, retryable: () => false })).rejects.toThrow('attempt 1');
  });
});
