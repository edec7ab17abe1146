import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import type { ProfileDecision } from '../eks-fargate/plan.js';
import { profileManager } from '../eks-fargate/profiles.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { workflowStep } from '../shared/step.js';
import { assertStillWanted } from '../shared/still-wanted.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));
const access = lazy(() => clusterAccessFromEnv());

/** Sends the CreateFargateProfile request the decision built; a profile of the group already there is adopted. */
export const handler = workflowStep(
  'Create Fargate Profile',
  async (input: Pick<EksFargateState, 'change' | 'execution' | 'group' | 'role'> & { plan: ProfileDecision }, { log }) => {
    // Re-checked on every attempt: an older generation, or a group being deleted, changes nothing.
    await assertStillWanted(input, access());
    const progress = await profileManager(eks(), input.group.ref).create(input.plan, { roleJustCreated: input.role?.created ?? false });
    log.info('fargate profile create sent', { ...progress });
    return progress;
  },
);
