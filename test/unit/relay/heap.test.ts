// The relay returns a whole-collection list's garbage at once only when node exposes the collector (--expose-gc in
// the image's ENTRYPOINT), and then asks for the memory-reducing flavour.
import { jest } from '@jest/globals';

const globals = globalThis as { gc?: unknown };

describe('collectListGarbage', () => {
  const original = globals.gc;
  afterEach(() => {
    globals.gc = original;
    jest.resetModules();
  });

  it('does nothing when node does not expose the collector', async () => {
    delete globals.gc;
    const { collectListGarbage } = await import(`../../../in-cluster-relay/heap.js?none=${Date.now()}`);
    expect(collectListGarbage()).toBe(false);
  });

  it('asks for an asynchronous memory-reducing major collection when it is exposed', async () => {
    const gc = jest.fn();
    globals.gc = gc;
    const { collectListGarbage } = await import(`../../../in-cluster-relay/heap.js?exposed=${Date.now()}`);
    expect(collectListGarbage()).toBe(true);
    expect(gc).toHaveBeenCalledWith({ type: 'major', execution: 'async', flavor: 'last-resort' });
  });
});
