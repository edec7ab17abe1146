import { IAMClient } from '@aws-sdk/client-iam';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { POD_EXECUTION_ROLE } from '../eks-fargate/pod-role.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { cleanUpGroupRole, type RoleCleanupInput } from '../shared/group-role.js';
import { workflowStep } from '../shared/step.js';

const iam = lazy(() => awsClient(new IAMClient(awsClientConfig())));
const access = lazy(() => clusterAccessFromEnv());

export type DeletePodRoleInput = RoleCleanupInput & Pick<EksFargateState, 'group'>;

/** Deletes the pod execution role instance-manager created for the group, when no group uses it any more. */
export const handler = workflowStep('Delete Pod Execution Role', async (input: DeletePodRoleInput, { log }) => {
  const result = await cleanUpGroupRole({ iam: iam(), access: access() }, input, POD_EXECUTION_ROLE, input.group.spec.podExecutionRoleArn);
  log.info('pod execution role', { ...result });
  return result;
});
