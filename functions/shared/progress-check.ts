// The step behind "Check Node Group Progress" and "Check Fargate Profile Progress": one pass of an EKS wait loop.
// Each provisioner names the field that holds its resource's name and hands in how to look at the resource.
import type { EKSClient } from '@aws-sdk/client-eks';
import type { GroupRef } from '../../core/names/index.js';
import { eks } from '../kit/clients.js';
import { nextPoll } from '../kit/step.js';
import type { ResourceProgress } from './eks-resource.js';
import type { WaitFor } from './eks-resource-plan.js';
import type { Target } from './resource-manager.js';
import type { WorkflowState } from './workflow-state.js';

export interface ProgressCheckInput<K extends string> extends WorkflowState {
  group: { ref: GroupRef };
  /** The decision that started the wait: the resource's name under K, and whether it should become active or gone. */
  plan: { [key in K]?: string } & { waitFor?: WaitFor };
  progress?: Partial<ResourceProgress<K>>;
  /** The wait loop's bound; past it the workflow fails instead of polling forever. */
  maxPolls: number;
}

export type CheckProgress<K extends string> = (eks: EKSClient, ref: GroupRef, target: Target, polls: number, maxPolls: number) => Promise<ResourceProgress<K>>;

/**
 * One pass of the wait loop: is EKS done with the resource? Fails with EKS's health issues if it failed. The poll
 * count starts again when the loop waits for another resource than the last pass did.
 */
export function progressCheckStep<K extends string>(nameKey: K, check: CheckProgress<K>) {
  return async (input: ProgressCheckInput<K>): Promise<ResourceProgress<K>> => {
    const name = input.plan[nameKey] ?? '';
    const polls = nextPoll(input.progress?.[nameKey], input.progress?.polls, name);
    return check(eks(), input.group.ref, { name, waitFor: input.plan.waitFor ?? 'active' }, polls, input.maxPolls);
  };
}
