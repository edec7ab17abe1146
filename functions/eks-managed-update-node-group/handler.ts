import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { nodeGroupManager } from '../eks-managed/nodegroups.js';
import type { NodeGroupDecision } from '../eks-managed/plan.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { workflowStep } from '../shared/step.js';
import { assertStillWanted } from '../shared/still-wanted.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));
const access = lazy(() => clusterAccessFromEnv());

/** One in-place change: UpdateNodegroupConfig, UpdateNodegroupVersion, or TagResource/UntagResource. */
export const handler = workflowStep(
  'Update Node Group',
  async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'> & { plan: NodeGroupDecision }, { log }) => {
    // Re-checked on every attempt: an older generation, or a group being deleted, changes nothing.
    await assertStillWanted(input, access());
    const progress = await nodeGroupManager(eks(), input.group.ref).update(input.plan);
    log.info('node group update sent', { action: input.plan.action, ...progress });
    return progress;
  },
);
