import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { clusterAccessFromEnv, type ClusterAccess } from '../../core/kube/access.js';
import { awaitStack } from '../eks-cf/stack-events.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';

const clients = lazy(() => ({ cloudformation: awsClient(new CloudFormationClient(awsClientConfig())), sfn: awsClient(new SFNClient(awsClientConfig())) }));
let clusterAccess: ClusterAccess | undefined;

export interface AwaitStackInput extends Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'> {
  purpose: 'apply' | 'delete';
  taskToken: string;
}

/**
 * The start of an event-driven stack wait (Task `.waitForTaskToken`): leaves the token where eks-cf-stack-event
 * finds it and hands it back at once if the stack has already settled.
 */
export const handler = workflowStep('Wait For CloudFormation', async (input: AwaitStackInput) =>
  awaitStack(
    {
      cluster: input.change.cluster,
      ref: input.group.ref,
      wait: { taskToken: input.taskToken, stackName: input.stack.stackName, purpose: input.purpose, executionArn: input.execution.arn },
    },
    { ...clients(), clusterAccess: (clusterAccess ??= clusterAccessFromEnv()) },
  ),
);
