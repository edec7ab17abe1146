import { awaitStack } from '../stack-events.js';
import type { EksCfState } from '../state.js';
import { cloudformation, sfn } from '../../kit/clients.js';
import { clusterAccess } from '../../kit/kube.js';

export interface AwaitStackInput extends Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'> {
  purpose: 'apply' | 'delete';
  taskToken: string;
}

/**
 * The start of an event-driven stack wait (Task `.waitForTaskToken`): leaves the token where eks-cf-stack-event
 * finds it and hands it back at once if the stack has already settled.
 */
export const waitForCloudformationStep = async (input: AwaitStackInput) =>
  awaitStack(
    {
      cluster: input.change.cluster,
      ref: input.group.ref,
      wait: { taskToken: input.taskToken, stackName: input.stack.stackName, purpose: input.purpose, executionArn: input.execution.arn },
    },
    { cloudformation: cloudformation(), sfn: sfn(), clusterAccess: clusterAccess() },
  );
