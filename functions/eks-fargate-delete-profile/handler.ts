import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import type { ProfileDecision } from '../eks-fargate/plan.js';
import { profileManager } from '../eks-fargate/profiles.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

/** Starts deleting one profile of the group (a replaced one, or every one on delete). */
export const handler = workflowStep(
  'Delete Fargate Profile',
  async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }, { log }) => {
    const progress = await profileManager(eks(), input.group.ref).delete(input.plan);
    log.info('fargate profile delete sent', { ...progress });
    return progress;
  },
);
