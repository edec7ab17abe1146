// The fence against lost updates: an apply re-reads its group immediately before every call that changes AWS, and
// refuses to go on when a newer generation exists or the group is being deleted or is gone. The AWS resources also
// carry the generation and owner uid that last wrote them, so an older execution that slips past the re-check still
// cannot write over a newer one (see stamp.ts).
import { NoLongerWantedError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { loadGroup, stopSummary } from './group.js';
import type { WorkflowState } from './workflow-state.js';

/** Throws NoLongerWantedError when an apply's generation is no longer the one to apply; a delete always goes on. */
export async function assertStillWanted(state: WorkflowState, access: ClusterAccess): Promise<void> {
  if (state.change.operation !== 'apply') return;
  const loaded = await loadGroup(state, access);
  if (loaded.outcome === 'superseded' || loaded.outcome === 'deleting' || loaded.outcome === 'gone') {
    throw new NoLongerWantedError(stopSummary(loaded.outcome, loaded.latestGeneration, state.change.group.generation));
  }
}
