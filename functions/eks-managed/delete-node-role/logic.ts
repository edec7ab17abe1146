import { NODE_ROLE } from '../node-role.js';
import type { EksManagedState } from '../state.js';
import { cleanUpGroupRole, type RoleCleanupInput } from '../../shared/group-role.js';
import { iam } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

export type DeleteNodeRoleInput = RoleCleanupInput & Pick<EksManagedState, 'group'>;

/** Deletes the node role instance-manager created for the group, when no group uses it any more. */
export const deleteNodeRoleStep = async (input: DeleteNodeRoleInput, { log }: StepContext) => {
  const result = await cleanUpGroupRole({ iam: iam(), access: access() }, input, NODE_ROLE, input.group.spec.nodeRoleArn);
  log.info('node role', { ...result });
  return result;
};
