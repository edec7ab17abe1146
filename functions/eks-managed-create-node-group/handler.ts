import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { nodeGroupManager } from '../eks-managed/nodegroups.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import type { NodeGroupDecision } from '../eks-managed/plan.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { workflowStep } from '../shared/step.js';
import { assertStillWanted } from '../shared/still-wanted.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));
const access = lazy(() => clusterAccessFromEnv());

/** Sends the CreateNodegroup request the decision built; an identical node group already there is adopted. */
export const handler = workflowStep(
  'Create Node Group',
  async (input: Pick<EksManagedState, 'change' | 'execution' | 'group' | 'role'> & { plan: NodeGroupDecision }, { log }) => {
    // Re-checked on every attempt: an older generation, or a group being deleted, changes nothing.
    await assertStillWanted(input, access());
    const progress = await nodeGroupManager(eks(), input.group.ref).create(input.plan, { roleJustCreated: input.role?.created ?? false });
    log.info('node group create sent', { ...progress });
    return progress;
  },
);
