import { IAMClient } from '@aws-sdk/client-iam';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { NODE_ROLE } from '../eks-managed/node-role.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { cleanUpGroupRole, type RoleCleanupInput } from '../shared/group-role.js';
import { workflowStep } from '../shared/step.js';

const iam = lazy(() => awsClient(new IAMClient(awsClientConfig())));
const access = lazy(() => clusterAccessFromEnv());

export type DeleteNodeRoleInput = RoleCleanupInput & Pick<EksManagedState, 'group'>;

/** Deletes the node role instance-manager created for the group, when no group uses it any more. */
export const handler = workflowStep('Delete Node Role', async (input: DeleteNodeRoleInput, { log }) => {
  const result = await cleanUpGroupRole({ iam: iam(), access: access() }, input, NODE_ROLE, input.group.spec.nodeRoleArn);
  log.info('node role', { ...result });
  return result;
});
