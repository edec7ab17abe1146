import { roleName } from '../../../core/names/index.js';
import { deletePodExecutionRole } from '../pod-role.js';
import type { EksFargateState } from '../state.js';
import { otherUsersOfRole } from '../../shared/role-users.js';
import { iam } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

export interface DeletePodRoleInput extends Pick<EksFargateState, 'change' | 'execution' | 'group'> {
  /** apply: only when the spec names its own role (the created one is then unused); delete: always. */
  purpose: 'apply' | 'delete';
}

/** Deletes the pod execution role instance-manager created for the group; a role the spec names is never touched. */
export const deletePodExecutionRoleStep = async (input: DeletePodRoleInput, { log }: StepContext) => {
  if (input.purpose === 'apply' && !input.group.spec.podExecutionRoleArn) {
    return { deleted: false, note: 'the profile uses the role instance-manager created; kept' };
  }
  const name = roleName(input.group.ref, 'fargate-pods');
  const users = await otherUsersOfRole(input, access(), name);
  if (users.length) {
    const note = `IAM role ${name} is kept: InstanceGroup ${users.join(', ')} still uses it; delete it once they no longer do`;
    log.info('pod execution role', { roleName: name, deleted: false, note });
    return { roleName: name, deleted: false, note };
  }
  const result = await deletePodExecutionRole(iam(), input.group.ref);
  log.info('pod execution role', { ...result });
  return result;
};
