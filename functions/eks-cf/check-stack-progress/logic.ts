import { stackProgress } from '../stack-progress.js';
import type { EksCfState } from '../state.js';
import { cloudformation as cf } from '../../kit/clients.js';

export interface CheckStackInput extends Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'> {
  /** apply: wait for CREATE/UPDATE_COMPLETE; delete: wait until the stack is gone. */
  purpose: 'apply' | 'delete';
  /** The wait loop's bound; past it the workflow fails instead of polling forever. */
  maxPolls: number;
}

/** One pass of the wait loop: where is CloudFormation with the stack? */
export const checkStackProgressStep = async (input: CheckStackInput) => {
  const polls = (input.stack.polls ?? 0) + 1;
  const name = input.stack.stackName;
  const of = { stackName: name, size: { min: input.group.spec.minSize, max: input.group.spec.maxSize } };
  const progress = await stackProgress(cf(), of, { name, waitFor: input.purpose === 'delete' ? 'gone' : 'active' }, polls, input.maxPolls);
  return { ...progress, ...(input.stack.roleArn && !progress.roleArn ? { roleArn: input.stack.roleArn } : {}), ...(input.stack.action ? { action: input.stack.action } : {}) };
};
