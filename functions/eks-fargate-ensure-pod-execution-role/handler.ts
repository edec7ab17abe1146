import { IAMClient } from '@aws-sdk/client-iam';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { ensurePodExecutionRole } from '../eks-fargate/pod-role.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';

const iam = lazy(() => awsClient(new IAMClient(awsClientConfig())));

/** Uses the spec's pod execution role, or creates the group's own (AmazonEKSFargatePodExecutionRolePolicy). */
export const handler = workflowStep(
  'Create Pod Execution Role If Needed',
  async (input: Pick<EksFargateState, 'change' | 'execution' | 'group' | 'references'>, { log }) => {
    const role = await ensurePodExecutionRole(iam(), input.group.ref, input.group.spec, input.references?.clusterArn);
    log.info('pod execution role', { ...role });
    return role;
  },
);
