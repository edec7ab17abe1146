import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { createNodeGroup } from '../eks-managed/nodegroups.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import type { NodeGroupDecision } from '../eks-managed/plan.js';
import { workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

/** Sends the CreateNodegroup request the decision built; an identical node group already there is adopted. */
export const handler = workflowStep(
  'Create Node Group',
  async (input: Pick<EksManagedState, 'change' | 'execution' | 'group' | 'role'> & { plan: NodeGroupDecision }, { log }) => {
    const progress = await createNodeGroup(eks(), input.group.ref, input.plan, { roleJustCreated: input.role?.created ?? false });
    log.info('node group create sent', { ...progress });
    return progress;
  },
);
