import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { nodeGroupManager, type NodeGroupProgress } from '../eks-managed/nodegroups.js';
import type { NodeGroupDecision } from '../eks-managed/plan.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { nextPoll, workflowStep } from '../shared/step.js';

const eks = lazy(() => awsClient(new EKSClient(awsClientConfig())));

export interface CheckNodeGroupInput extends Pick<EksManagedState, 'change' | 'execution' | 'group'> {
  plan: Pick<NodeGroupDecision, 'nodeGroupName' | 'waitFor'>;
  progress?: Partial<NodeGroupProgress>;
  /** The wait loop's bound; past it the workflow fails instead of polling forever. */
  maxPolls: number;
}

/** One pass of the wait loop: is EKS done with the node group? Fails with EKS's health issues if it failed. */
export const handler = workflowStep('Check Node Group Progress', async (input: CheckNodeGroupInput) => {
  const name = input.plan.nodeGroupName ?? '';
  const polls = nextPoll(input.progress?.nodeGroupName, input.progress?.polls, name);
  return nodeGroupManager(eks(), input.group.ref).progress({ name, waitFor: input.plan.waitFor ?? 'active' }, polls, input.maxPolls);
});
