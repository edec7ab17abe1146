import { IAMClient } from '@aws-sdk/client-iam';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { ensureNodeRole } from '../eks-managed/node-role.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { workflowStep } from '../shared/step.js';

const iam = lazy(() => awsClient(new IAMClient(awsClientConfig())));

/** Uses the spec's node role, or creates the group's own (EKS worker, CNI and ECR read-only policies). */
export const handler = workflowStep('Create Node Role If Needed', async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'>, { log }) => {
  const role = await ensureNodeRole(iam(), input.group.ref, input.group.spec);
  log.info('node role', { ...role });
  return role;
});
