import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { updateNodeGroup } from '../eks-managed/nodegroups.js';
import type { NodeGroupDecision } from '../eks-managed/plan.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

/** One in-place change: UpdateNodegroupConfig, UpdateNodegroupVersion, or TagResource/UntagResource. */
export const handler = workflowStep(
  'Update Node Group',
  async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'> & { plan: NodeGroupDecision }, { log }) => {
    const progress = await updateNodeGroup(eks(), input.group.spec.clusterName, input.plan);
    log.info('node group update sent', { action: input.plan.action, ...progress });
    return progress;
  },
);
