import { removeStack } from '../stack-manager.js';
import type { EksCfState } from '../state.js';
import { fenceSummary, fenceWaitSeconds } from '../../shared/delete-fence.js';
import { loadGroup } from '../../shared/group.js';
import { cloudformation as cf } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

/**
 * Starts deleting the group's stack (waiting out a create in progress) and keeps its node role ARN. A stack that is
 * not there yet is looked for again (after "Wait For Earlier Applies") once no apply that began before the deletion
 * can still create it.
 */
export const deleteStackStep = async (input: Pick<EksCfState, 'change' | 'execution' | 'group'>, { log }: StepContext) => {
  const size = { min: input.group.spec.minSize, max: input.group.spec.maxSize };
  const progress = await removeStack(cf(), { stackName: input.group.stackName, size, ownerUid: input.change.group.uid });
  if (progress.status === 'DELETE_COMPLETE') {
    const { object } = await loadGroup(input, access());
    const waitSeconds = fenceWaitSeconds(object?.metadata.deletionTimestamp);
    if (waitSeconds > 0) {
      log.info(fenceSummary(`No stack ${progress.stackName}`, waitSeconds));
      return { ...progress, gone: false, settled: false, awaitEarlierAppliesSeconds: waitSeconds };
    }
  }
  log.info('stack delete started', { stackName: progress.stackName, status: progress.status });
  return progress;
};
