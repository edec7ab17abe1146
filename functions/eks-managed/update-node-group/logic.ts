import { updateNodeGroup } from '../nodegroups.js';
import type { NodeGroupDecision } from '../plan.js';
import type { EksManagedState } from '../state.js';
import { eks } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';
import { assertStillWanted } from '../../shared/still-wanted.js';
import { stampOf } from '../../shared/stamp.js';

/**
 * One in-place change: UpdateNodegroupConfig, UpdateNodegroupVersion, or TagResource/UntagResource; refused on a node
 * group a newer generation wrote, and the node group is stamped with this generation once it succeeded.
 */
export const updateNodeGroupStep = async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'> & { plan: NodeGroupDecision }, { log }: StepContext) => {
    // Re-checked on every attempt: an older generation, or a group being deleted, changes nothing.
    await assertStillWanted(input, access());
    const progress = await updateNodeGroup(eks(), input.group.ref.clusterName, input.plan, stampOf(input.change));
    log.info('node group update sent', { action: input.plan.action, ...progress });
    return progress;
  };
