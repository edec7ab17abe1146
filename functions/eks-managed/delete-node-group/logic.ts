import { deleteNodeGroup } from '../nodegroups.js';
import type { NodeGroupDecision } from '../plan.js';
import type { EksManagedState } from '../state.js';
import { eks } from '../../kit/clients.js';
import type { StepContext } from '../../kit/step.js';
import { writeGuardOf } from '../../shared/stamp.js';

/**
 * Starts deleting one node group of the group (a replaced one, or every one on delete). Read right before: an apply
 * does not delete a node group a newer generation wrote, and a delete leaves alone one another owner stamped.
 */
export const deleteNodeGroupStep = async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'> & { plan: NodeGroupDecision }, { log }: StepContext) => {
    const progress = await deleteNodeGroup(eks(), input.group.ref.clusterName, input.plan.nodeGroupName ?? '', writeGuardOf(input.change));
    log.info('node group delete sent', { ...progress });
    return progress;
  };
