// What the work queue holds per object (keyed by uid): the object, why it is being looked at, and when it was
// observed; and how two items for the same object fold into one.
import type { InstanceGroup } from '../core/spec/types.js';
import type { DecideMode } from './decide.js';

export interface WorkItem {
  group: InstanceGroup;
  mode: DecideMode;
  observedAt: number;
}

const MODE_RANK: Record<DecideMode, number> = { watch: 0, initial: 1, resync: 2 };

/** Whether a is at least as new as b: generation first, then resourceVersion when both are numbers (as etcd's are). */
function atLeastAsNew(a: InstanceGroup, b: InstanceGroup): boolean {
  if (a.metadata.generation !== b.metadata.generation) return a.metadata.generation > b.metadata.generation;
  const ra = Number(a.metadata.resourceVersion);
  const rb = Number(b.metadata.resourceVersion);
  return Number.isFinite(ra) && Number.isFinite(rb) ? ra >= rb : true;
}

export function mergeItems(queued: WorkItem, incoming: WorkItem): WorkItem {
  // Keep the newest object (watch events arrive in order; a resync list may be older than a queued event),
  // the strongest reason to look, and the earliest observation (for the latency metric).
  const group = atLeastAsNew(incoming.group, queued.group) ? incoming.group : queued.group;
  const mode = MODE_RANK[incoming.mode] > MODE_RANK[queued.mode] ? incoming.mode : queued.mode;
  return { group, mode, observedAt: Math.min(queued.observedAt, incoming.observedAt) };
}
