import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { stackManager } from '../eks-cf/stack-manager.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';

const cf = lazy(() => awsClient(new CloudFormationClient(awsClientConfig())));

export interface CheckStackInput extends Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'> {
  /** apply: wait for CREATE/UPDATE_COMPLETE; delete: wait until the stack is gone. */
  purpose: 'apply' | 'delete';
  /** The wait loop's bound; past it the workflow fails instead of polling forever. */
  maxPolls: number;
}

/** One pass of the wait loop: where is CloudFormation with the stack? */
export const handler = workflowStep('Check Stack Progress', async (input: CheckStackInput) => {
  const polls = (input.stack.polls ?? 0) + 1;
  const name = input.stack.stackName;
  const manager = stackManager(cf(), { stackName: name, size: { min: input.group.spec.minSize, max: input.group.spec.maxSize } });
  const progress = await manager.progress({ name, waitFor: input.purpose === 'delete' ? 'gone' : 'active' }, polls, input.maxPolls);
  return { ...progress, ...(input.stack.roleArn && !progress.roleArn ? { roleArn: input.stack.roleArn } : {}), ...(input.stack.action ? { action: input.stack.action } : {}) };
});
