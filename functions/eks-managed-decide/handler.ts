import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { decideNodeGroup, type DecideInput } from '../eks-managed/decide.js';
import { lazy } from '../eks-managed/state.js';
import { workflowStep } from '../shared/step.js';

const deps = lazy(() => ({ eks: awsClient(new EKSClient(awsClientConfig())), access: clusterAccessFromEnv() }));

/** One pass of the loop: re-reads the group, looks at its node groups, and picks the next change (or none). */
export const handler = workflowStep('Decide Next Change', async (input: DecideInput, { log }) => {
  const plan = await decideNodeGroup(input, deps());
  log.info('decided', { action: plan.action, nodeGroupName: plan.nodeGroupName, summary: plan.summary, pass: plan.pass });
  return plan;
});
