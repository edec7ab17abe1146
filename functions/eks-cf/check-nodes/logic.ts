import { namedCluster } from '../../../core/events/index.js';
import type { ObservedResources } from '../../../core/status/index.js';
import { joinProgress, joinTimeoutSeconds, joinWaitEnabled, skippedProgress, type NodeJoinProgress } from '../node-join.js';
import type { EksCfState } from '../state.js';
import { scalingGroupInstances, takeCensus } from '../../shared/nodes.js';
import { autoscaling } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

export interface CheckNodesInput extends Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack' | 'references'> {
  /** The previous look ({polls: 0} before the first). */
  nodes: Partial<NodeJoinProgress>;
  /** Bound on the whole wait, in seconds (NODE_JOIN_TIMEOUT_SECONDS overrides it). */
  maxWaitSeconds?: number;
}

/**
 * One look of the "Wait For Nodes To Join" loop: the Auto Scaling group's instances that are registered Nodes of the
 * target cluster and Ready, labelling them with their group on the way.
 */
export const checkNodesStep = async (input: CheckNodesInput, { log }: StepContext) => {
  const now = new Date();
  const observed: ObservedResources = {
    ...input.stack.observed,
    ...(input.references?.image ? { imageId: input.references.image.id, imageFamily: input.references.image.family } : {}),
  };
  if (!joinWaitEnabled()) return skippedProgress(observed, now);
  const asg = input.stack.observed?.activeScalingGroupName;
  const scaling = asg ? await scalingGroupInstances(autoscaling(), asg) : { desired: 0, instances: [] };
  const kube = await access().connect(namedCluster(input.change.cluster, input.group.ref.clusterName));
  const census = await takeCensus(kube, input.change.group, scaling);
  const progress = joinProgress({
    ...census,
    polls: (input.nodes.polls ?? 0) + 1,
    startedAt: input.nodes.startedAt ?? now.toISOString(),
    now,
    timeoutSeconds: joinTimeoutSeconds(input.maxWaitSeconds),
    observed,
  });
  log.info('nodes counted', { desired: census.desired, registered: census.registered, ready: census.ready, labelled: census.labelled, polls: progress.polls });
  return progress;
};
