import { roleName } from '../../../core/names/index.js';
import { deleteNodeRole } from '../node-role.js';
import type { EksManagedState } from '../state.js';
import { otherUsersOfRole } from '../../shared/role-users.js';
import { iam } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

export interface DeleteNodeRoleInput extends Pick<EksManagedState, 'change' | 'execution' | 'group'> {
  /** apply: only when the spec names its own role (the created one is then unused); delete: always. */
  purpose: 'apply' | 'delete';
}

/** Deletes the node role instance-manager created for the group, when nothing of the group uses it any more. */
export const deleteNodeRoleStep = async (input: DeleteNodeRoleInput, { log }: StepContext) => {
  if (input.purpose === 'apply' && !input.group.spec.nodeRoleArn) {
    return { deleted: false, note: 'the node group uses the role instance-manager created; kept' };
  }
  const name = roleName(input.group.ref, 'nodes');
  const users = await otherUsersOfRole(input, access(), name);
  if (users.length) {
    const note = `IAM role ${name} is kept: InstanceGroup ${users.join(', ')} still uses it; delete it once they no longer do`;
    log.info('node role', { roleName: name, deleted: false, note });
    return { roleName: name, deleted: false, note };
  }
  const result = await deleteNodeRole(iam(), input.group.ref);
  log.info('node role', { ...result });
  return result;
};
