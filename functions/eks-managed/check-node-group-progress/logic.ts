import { nodeGroupProgress, type NodeGroupProgress } from '../nodegroups.js';
import type { NodeGroupDecision } from '../plan.js';
import type { EksManagedState } from '../state.js';
import { eks } from '../../kit/clients.js';
import { nextPoll } from '../../kit/step.js';

export interface CheckNodeGroupInput extends Pick<EksManagedState, 'change' | 'execution' | 'group'> {
  plan: Pick<NodeGroupDecision, 'nodeGroupName' | 'waitFor'>;
  progress?: Partial<NodeGroupProgress>;
  /** The wait loop's bound; past it the workflow fails instead of polling forever. */
  maxPolls: number;
}

/** One pass of the wait loop: is EKS done with the node group? Fails with EKS's health issues if it failed. */
export const checkNodeGroupProgressStep = async (input: CheckNodeGroupInput) => {
  const name = input.plan.nodeGroupName ?? '';
  const polls = nextPoll(input.progress?.nodeGroupName, input.progress?.polls, name);
  return nodeGroupProgress(eks(), input.group.ref, { name, waitFor: input.plan.waitFor ?? 'active' }, polls, input.maxPolls);
};
