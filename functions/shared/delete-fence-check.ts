// The delete fence (delete-fence.ts) for the loops that decide what is left to delete: "nothing" counts only once no
// apply that began before the deletion can still create something.
import type { ClusterAccess } from '../../core/kube/access.js';
import { fenceSummary, fenceWaitSeconds } from './delete-fence.js';
import { loadGroup } from './group.js';
import type { WorkflowState } from './workflow-state.js';

export interface FenceWait {
  action: 'await-earlier-applies';
  waitSeconds: number;
  summary: string;
}

/** A decision to wait out the fence, or undefined when "nothing left" may stand. */
export async function fenceBeforeNothingLeft(state: WorkflowState, access: ClusterAccess, what: string): Promise<FenceWait | undefined> {
  const { object } = await loadGroup(state, access);
  const waitSeconds = fenceWaitSeconds(object?.metadata.deletionTimestamp);
  return waitSeconds > 0 ? { action: 'await-earlier-applies', waitSeconds, summary: fenceSummary(what, waitSeconds) } : undefined;
}
