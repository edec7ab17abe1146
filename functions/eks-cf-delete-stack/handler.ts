import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { startDelete } from '../eks-cf/stack.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';

const cf = lazy(() => awsClient(new CloudFormationClient(awsClientConfig())));

/** Starts deleting the group's stack (waiting out a create in progress) and keeps its node role ARN. */
export const handler = workflowStep('Delete Stack', async (input: Pick<EksCfState, 'change' | 'execution' | 'group'>, { log }) => {
  const progress = await startDelete(cf(), input.group.stackName);
  log.info('stack delete started', { stackName: progress.stackName, status: progress.status });
  return progress;
});
