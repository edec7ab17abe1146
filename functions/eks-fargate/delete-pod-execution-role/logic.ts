import { POD_EXECUTION_ROLE } from '../pod-role.js';
import type { EksFargateState } from '../state.js';
import { cleanUpGroupRole, type RoleCleanupInput } from '../../shared/group-role.js';
import { iam } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

export type DeletePodRoleInput = RoleCleanupInput & Pick<EksFargateState, 'group'>;

/** Deletes the pod execution role instance-manager created for the group, when no group uses it any more. */
export const deletePodExecutionRoleStep = async (input: DeletePodRoleInput, { log }: StepContext) => {
  const result = await cleanUpGroupRole({ iam: iam(), access: access() }, input, POD_EXECUTION_ROLE, input.group.spec.podExecutionRoleArn);
  log.info('pod execution role', { ...result });
  return result;
};
