// The delete fence (delete-fence.ts) for the loops that decide what is left to delete: "nothing" counts only once no
// apply that began before the deletion can still create something.
import { RetryableError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { assertFencePassed, deleteFenceMs } from './delete-fence.js';
import { loadGroup } from './group.js';
import type { WorkflowState } from './workflow-state.js';

export async function fenceBeforeNothingLeft(state: WorkflowState, access: ClusterAccess, what: string): Promise<void> {
  const { object } = await loadGroup(state, access);
  assertFencePassed(what, object?.metadata.deletionTimestamp, Date.now(), deleteFenceMs(), RetryableError);
}
