import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import type { ProfileDecision } from '../eks-fargate/plan.js';
import { profileManager } from '../eks-fargate/profiles.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

/** Tags are the one thing AWS changes on a profile in place. */
export const handler = workflowStep(
  'Update Tags',
  async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }) =>
    profileManager(eks(), input.group.ref).update(input.plan),
);
