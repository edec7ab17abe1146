import { WorkQueue } from '../../../in-cluster-relay/workqueue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('keyed work queue', () => {
  it('handles a key on one worker at a time and collapses bursts into one more pass with the latest item', async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActivePerKey = 0;
    // The first pass is held open until the burst has arrived, however slow the machine is.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const q = new WorkQueue<number>({
      worker: async (key, item) => {
        active++;
        maxActivePerKey = Math.max(maxActivePerKey, active);
        seen.push(`${key}:${item}`);
        await (item === 1 ? firstHeld : tick());
        active--;
      },
      concurrency: 4,
    });
    q.add('a', 1);
    while (seen.length === 0) await tick(1);
    for (let i = 2; i <= 10; i++) q.add('a', i);
    releaseFirst();
    await q.idle();
    expect(seen).toEqual(['a:1', 'a:10']);
    expect(maxActivePerKey).toBe(1);
  });

  it('runs different keys concurrently up to the limit', async () => {
    let active = 0;
    let peak = 0;
    const q = new WorkQueue<number>({
      worker: async () => {
        active++;
        peak = Math.max(peak, active);
        await tick(10);
        active--;
      },
      concurrency: 3,
    });
    for (let i = 0; i < 10; i++) q.add(`k${i}`, i);
    await q.idle();
    expect(peak).toBe(3);
  });

  it('merges queued items and reports worker errors with the item', async () => {
    const errors: string[] = [];
    const q = new WorkQueue<number>({
      worker: async (_key, item) => {
        if (item > 100) throw new Error('boom');
      },
      concurrency: 1,
      merge: (a, b) => a + b,
      onError: (key, item, _error, retryInMs) => errors.push(`${key}:${item}:${retryInMs}`),
    });
    q.add('busy', 1);
    q.add('x', 60);
    q.add('x', 50);
    await q.idle();
    expect(errors).toEqual(['x:110:undefined']);
  });

  it('with a retry policy, tries a failing key again after a delay that doubles with each failure in a row', async () => {
    const delays: (number | undefined)[] = [];
    let calls = 0;
    const q = new WorkQueue<string>({
      worker: async () => {
        calls++;
        if (calls <= 3) throw new Error('not yet');
      },
      concurrency: 1,
      retry: { initialMs: 5, maxMs: 15 },
      onError: (_key, _item, _error, retryInMs) => delays.push(retryInMs),
    });
    q.add('k', 'item');
    for (let i = 0; i < 200 && calls < 4; i++) await tick(5);
    expect(calls).toBe(4);
    expect(delays).toEqual([5, 10, 15]);
  });

  it('clear() cancels pending retries', async () => {
    let calls = 0;
    const q = new WorkQueue<string>({
      worker: async () => {
        calls++;
        throw new Error('always');
      },
      concurrency: 1,
      retry: { initialMs: 20, maxMs: 20 },
    });
    q.add('k', 'item');
    await q.idle();
    q.clear();
    await tick(60);
    expect(calls).toBe(1);
  });
});
