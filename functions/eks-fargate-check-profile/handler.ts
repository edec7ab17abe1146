import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import type { ProfileDecision } from '../eks-fargate/plan.js';
import { profileManager, type ProfileProgress } from '../eks-fargate/profiles.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { nextPoll, workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

export interface CheckProfileInput extends Pick<EksFargateState, 'change' | 'execution' | 'group'> {
  plan: Pick<ProfileDecision, 'profileName' | 'waitFor'>;
  progress?: Partial<ProfileProgress>;
  maxPolls: number;
}

/** One pass of the wait loop: is EKS done with the profile? Fails with EKS's health issues if it failed. */
export const handler = workflowStep('Check Fargate Profile Progress', async (input: CheckProfileInput) => {
  const name = input.plan.profileName ?? '';
  const polls = nextPoll(input.progress?.profileName, input.progress?.polls, name);
  return profileManager(eks(), input.group.ref).progress({ name, waitFor: input.plan.waitFor ?? 'active' }, polls, input.maxPolls);
});
