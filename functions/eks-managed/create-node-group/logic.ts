import { createNodeGroup } from '../nodegroups.js';
import type { EksManagedState } from '../state.js';
import type { NodeGroupDecision } from '../plan.js';
import { eks } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';
import { assertStillWanted } from '../../shared/still-wanted.js';
import { stampOf } from '../../shared/stamp.js';

/** Sends the CreateNodegroup request the decision built; an identical node group already there is adopted. */
export const createNodeGroupStep = async (input: Pick<EksManagedState, 'change' | 'execution' | 'group' | 'role'> & { plan: NodeGroupDecision }, { log }: StepContext) => {
    // Re-checked on every attempt: an older generation, or a group being deleted, changes nothing.
    await assertStillWanted(input, access());
    const progress = await createNodeGroup(eks(), input.group.ref, input.plan, { roleJustCreated: input.role?.created ?? false, stamp: stampOf(input.change) });
    log.info('node group create sent', { ...progress });
    return progress;
  };
