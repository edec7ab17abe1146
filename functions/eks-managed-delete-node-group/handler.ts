import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { nodeGroupManager } from '../eks-managed/nodegroups.js';
import type { NodeGroupDecision } from '../eks-managed/plan.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

/** Starts deleting one node group of the group (a replaced one, or every one on delete). */
export const handler = workflowStep(
  'Delete Node Group',
  async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'> & { plan: NodeGroupDecision }, { log }) => {
    const progress = await nodeGroupManager(eks(), input.group.ref).delete(input.plan);
    log.info('node group delete sent', { ...progress });
    return progress;
  },
);
