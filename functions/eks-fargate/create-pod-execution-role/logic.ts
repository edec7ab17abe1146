import { ensurePodExecutionRole } from '../pod-role.js';
import type { EksFargateState } from '../state.js';
import { iam } from '../../kit/clients.js';
import type { StepContext } from '../../kit/step.js';
import { stampOf } from '../../shared/stamp.js';

/** Uses the spec's pod execution role, or creates the group's own (AmazonEKSFargatePodExecutionRolePolicy). */
export const createPodExecutionRoleStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group' | 'references'>, { log }: StepContext) => {
    const role = await ensurePodExecutionRole(iam(), input.group.ref, input.group.spec, input.references?.clusterArn, stampOf(input.change));
    log.info('pod execution role', { ...role });
    return role;
  };
