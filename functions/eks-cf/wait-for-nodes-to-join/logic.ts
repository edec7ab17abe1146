import { namedCluster } from '../../../core/events/index.js';
import { awaitNodes } from '../node-events.js';
import type { EksCfState } from '../state.js';
import { autoscaling, sfn } from '../../kit/clients.js';
import { clusterAccess } from '../../kit/kube.js';

export interface AwaitNodesStepInput extends Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'> {
  taskToken: string;
}

/**
 * The start of an event-driven node-join wait (Task `.waitForTaskToken`): leaves the token where eks-cf-node-event
 * finds it and hands it back at once if the nodes are already Ready.
 */
export const waitForNodesToJoinStep = async (input: AwaitNodesStepInput) =>
  awaitNodes(
    {
      cluster: input.change.cluster,
      ref: input.change.group,
      nodesCluster: namedCluster(input.change.cluster, input.group.ref.clusterName),
      scalingGroupName: input.stack.observed?.activeScalingGroupName,
      wait: { taskToken: input.taskToken, executionArn: input.execution.arn },
    },
    { sfn: sfn(), autoscaling: autoscaling(), clusterAccess: clusterAccess() },
  );
