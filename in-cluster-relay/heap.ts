// A whole-collection list (the informers' start-up list and relists, each resync pass) parses every InstanceGroup
// once and keeps almost nothing, yet V8 grows its heap for that garbage and hands the pages back only when its
// memory reducer runs, some 10 s later: at 10,000 groups that is ~10 MB of RSS after every list. With --expose-gc
// on node's command line (in-cluster-relay/Dockerfile's ENTRYPOINT), the relay asks for the collector's
// memory-reducing collection right after such a burst instead; a regular major collection frees the objects but keeps
// the pages (bench/README.md, relay memory). Without the flag this does nothing.
type Collect = (options: { type: 'major'; execution: 'async'; flavor: 'last-resort' }) => Promise<void> | void;

const collect = (globalThis as { gc?: Collect }).gc;

/** Collects what a whole-collection list left behind and returns its pages, when node exposes the collector. */
export function collectListGarbage(): boolean {
  if (!collect) return false;
  void collect({ type: 'major', execution: 'async', flavor: 'last-resort' });
  return true;
}
