import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import type { ProfileDecision } from '../eks-fargate/plan.js';
import { createProfile } from '../eks-fargate/profiles.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

/** Sends the CreateFargateProfile request the decision built; a profile of the group already there is adopted. */
export const handler = workflowStep(
  'Create Fargate Profile',
  async (input: Pick<EksFargateState, 'change' | 'execution' | 'group' | 'role'> & { plan: ProfileDecision }, { log }) => {
    const progress = await createProfile(eks(), input.group.ref, input.plan, { roleJustCreated: input.role?.created ?? false });
    log.info('fargate profile create sent', { ...progress });
    return progress;
  },
);
