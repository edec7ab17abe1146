// Hands the node-join wait back to its workflow when a Node of the group becomes Ready, instead of the workflow
// looking every 5–30 s. The waiting Task ("Wait For Nodes To Join", `.waitForTaskToken`) leaves its token on the
// InstanceGroup in NODE_WAIT_ANNOTATION and looks once; the relay watches our groups' Nodes and sends "InstanceGroup
// Node Ready"; an EventBridge rule delivers it to eks-cf-node-event, which finds the group by the Node's labels,
// reads the token and calls SendTaskSuccess. The workflow then counts the nodes once ("Check Nodes"): one Ready
// node is not yet all of them, so the count decides, and waits again if some are missing. A token already spent or
// timed out means the fallback or an earlier event got there first: nothing to do.
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { isNodeReady, type ClusterIdentity, type NodeReady } from '../../core/events/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import type { Logger } from '../../core/log/index.js';
import { LABEL_VALUE_LIMIT, labelSafe } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { scalingGroupInstances, takeCensus } from '../shared/nodes.js';

/** The annotation that holds a pending node-join wait (JSON of NodeWait). */
export const NODE_WAIT_ANNOTATION = 'instancemgr.keikoproj.io/node-join-wait';

export interface NodeWait {
  taskToken: string;
  /** The execution that waits: for logs, and so a stale annotation is recognisable. */
  executionArn: string;
}

/** The event as EventBridge delivers it to the target. */
export interface NodeReadyEvent {
  id?: string;
  time?: string;
  source?: string;
  'detail-type'?: string;
  detail: NodeReady;
}

const SPENT = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

export function parseNodeWait(value: string | undefined): NodeWait | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<NodeWait>;
    return typeof parsed.taskToken === 'string' && parsed.taskToken && typeof parsed.executionArn === 'string' ? (parsed as NodeWait) : undefined;
  } catch {
    return undefined;
  }
}

export interface NodeEventDeps {
  sfn: SFNClient;
  clusterAccess: ClusterAccess;
  log: Logger;
}

export type NodeEventResult =
  | { handed: 'success'; node: string; executionArn: string }
  | { skipped: 'group-gone' | 'no-wait' | 'token-spent'; node: string };

/**
 * The group a Node's labels name. The name label is labelSafe (a name past 63 characters is cut and hashed), so a
 * label of exactly 63 characters that names no group is looked for among the namespace's groups.
 */
async function findGroup(groups: InstanceGroupApi, ref: NodeReady['group']): Promise<InstanceGroup | undefined> {
  const group = await groups.get(ref);
  if (group || ref.name.length < LABEL_VALUE_LIMIT) return group;
  const { items } = await groups.list(ref.namespace);
  return items.find((g) => labelSafe(g.metadata.name) === ref.name);
}

export async function handleNodeReady(event: NodeReadyEvent, deps: NodeEventDeps): Promise<NodeEventResult> {
  const detail = event.detail;
  if (!isNodeReady(detail)) {
    throw new Error('event.detail needs version 1, cluster.name, group.namespace, group.name and node (an "InstanceGroup Node Ready" event from the relay)');
  }
  const groups = new InstanceGroupApi(await deps.clusterAccess.connect(detail.cluster));
  const group = await findGroup(groups, detail.group);
  if (!group) return { skipped: 'group-gone', node: detail.node };
  const wait = parseNodeWait(group.metadata.annotations?.[NODE_WAIT_ANNOTATION]);
  if (!wait) return { skipped: 'no-wait', node: detail.node };
  try {
    await deps.sfn.send(
      new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: JSON.stringify({ node: detail.node, eventTime: detail.sentAt, seenBy: 'node-event' }) }),
    );
  } catch (error) {
    if (SPENT.has((error as Error).name)) {
      deps.log.info('the node-join wait this event was for has already ended (fallback check or earlier event)', { node: detail.node, error: (error as Error).name });
      return { skipped: 'token-spent', node: detail.node };
    }
    throw error;
  }
  deps.log.info('node ready: node-join wait handed back to its workflow', { node: detail.node, executionArn: wait.executionArn });
  return { handed: 'success', node: detail.node, executionArn: wait.executionArn };
}

// ---------------------------------------------------------------------------------------------------------------
// The waiting side: called by the `.waitForTaskToken` Task with its token.

export interface AwaitNodesDeps {
  sfn: SFNClient;
  autoscaling: AutoScalingClient;
  clusterAccess: ClusterAccess;
}

export interface AwaitNodesInput {
  /** The cluster the InstanceGroup lives in (the relay's): the token goes there. */
  cluster: ClusterIdentity;
  ref: { namespace: string; name: string };
  /** The cluster the nodes join (the spec's clusterName). */
  nodesCluster: ClusterIdentity;
  scalingGroupName: string | undefined;
  wait: NodeWait;
}

export async function storeNodeWait(input: Pick<AwaitNodesInput, 'cluster' | 'ref' | 'wait'>, clusterAccess: ClusterAccess): Promise<void> {
  const kube = await clusterAccess.connect(input.cluster);
  const path = `/apis/instancemgr.keikoproj.io/v1alpha1/namespaces/${encodeURIComponent(input.ref.namespace)}/instancegroups/${encodeURIComponent(input.ref.name)}`;
  await kube.request('PATCH', path, {
    body: { metadata: { annotations: { [NODE_WAIT_ANNOTATION]: JSON.stringify(input.wait) } } },
    contentType: 'application/merge-patch+json',
  });
}

/**
 * Leaves the token on the group (one annotation, merge patch: no generation change, so the relay ignores it), THEN
 * counts the nodes once: if every desired node became Ready before the token was stored, no event will find the
 * token, so this call hands it back itself. The condition is the one "Check Nodes" applies (ready ≥ desired), never
 * looser, so a hand-back here never turns into a loop without a pause.
 */
export async function awaitNodes(input: AwaitNodesInput, deps: AwaitNodesDeps): Promise<{ waiting: boolean; ready: number; desired: number }> {
  await storeNodeWait(input, deps.clusterAccess);
  const scaling = input.scalingGroupName ? await scalingGroupInstances(deps.autoscaling, input.scalingGroupName) : { desired: 0, instances: [] };
  const census = await takeCensus(await deps.clusterAccess.connect(input.nodesCluster), input.ref, scaling);
  if (census.ready < census.desired) return { waiting: true, ready: census.ready, desired: census.desired };
  await handBack(deps.sfn, input.wait.taskToken, { ready: census.ready, desired: census.desired, seenBy: 'await' });
  return { waiting: false, ready: census.ready, desired: census.desired };
}

/** SendTaskSuccess from the waiting function itself; a token already spent (an event was quicker) is fine. */
export async function handBack(sfn: SFNClient, taskToken: string, output: Record<string, unknown>): Promise<void> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  } catch (error) {
    if (!SPENT.has((error as Error).name)) throw error;
  }
}
