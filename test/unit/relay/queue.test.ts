import { KeyedQueue } from '../../../in-cluster-relay/queue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('keyed work queue', () => {
  it('handles a key on one worker at a time and collapses bursts into one more pass with the latest item', async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActivePerKey = 0;
    // The first pass is held open until the burst has arrived, however slow the machine is.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const q = new KeyedQueue<number>(async (key, item) => {
      active++;
      maxActivePerKey = Math.max(maxActivePerKey, active);
      seen.push(`${key}:${item}`);
      await (item === 1 ? firstHeld : tick());
      active--;
    }, 4);
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
    const q = new KeyedQueue<number>(async () => {
      active++;
      peak = Math.max(peak, active);
      await tick(10);
      active--;
    }, 3);
    for (let i = 0; i < 10; i++) q.add(`k${i}`, i);
    await q.idle();
    expect(peak).toBe(3);
  });

  it('merges queued items and reports worker errors with the item', async () => {
    const errors: string[] = [];
    const q = new KeyedQueue<number>(
      async (_key, item) => {
        if (item > 100) throw new Error('boom');
      },
      1,
      (a, b) => a + b,
      (key, item) => errors.push(`${key}:${item}`),
    );
    q.add('busy', 1);
    q.add('x', 60);
    q.add('x', 50);
    await q.idle();
    expect(errors).toEqual(['x:110']);
  });
});
