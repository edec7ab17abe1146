import { EKSClient } from '@aws-sdk/client-eks';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { decideProfile, type DecideInput } from '../eks-fargate/decide.js';
import { lazy } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';

const deps = lazy(() => ({ eks: awsClient(new EKSClient(awsClientConfig())), access: clusterAccessFromEnv() }));

/** One pass of the loop: re-reads the group, reads the cluster's profiles, and picks the next change (or none). */
export const handler = workflowStep('Decide Next Change', async (input: DecideInput, { log }) => {
  const plan = await decideProfile(input, deps());
  log.info('decided', { action: plan.action, profileName: plan.profileName, summary: plan.summary, pass: plan.pass });
  return plan;
});
