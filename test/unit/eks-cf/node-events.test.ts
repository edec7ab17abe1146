import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DETAIL_VERSION, NODE_READY_DETAIL_TYPE, type ClusterIdentity } from '../../../core/events/index.js';
import type { ClusterAccess } from '../../../core/kube/access.js';
import type { KubeRest } from '../../../core/kube/rest.js';
import { labelSafe } from '../../../core/names/index.js';
import { NODE_WAIT_ANNOTATION, awaitNodes, handleNodeReady, parseNodeWait, type NodeReadyEvent, type NodeWait } from '../../../functions/eks-cf/node-events.js';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.js';
import { silent } from '../stepfunctions/helpers.js';
import { startTokenWait, type TokenWait } from './token-wait.js';

const home: ClusterIdentity = { name: 'relay-cluster', region: 'us-west-2', accountId: '123456789012' };
const ref = { namespace: 'team-a', name: 'web' };

const event = (group = ref, node = 'ip-10-0-0-1'): NodeReadyEvent => ({
  id: 'ev-1',
  'detail-type': NODE_READY_DETAIL_TYPE,
  source: 'instancemgr.keikoproj.io',
  detail: { version: DETAIL_VERSION, cluster: home, group, node, sentAt: '2026-12-01T00:00:00.000Z' },
});

// Unit test: the cluster is stubbed; Step Functions is the local runtime, so the token is real.
function stubs(annotation: NodeWait | undefined, groups: { name: string; annotations?: Record<string, string> }[] = [{ name: ref.name }]) {
  const items = groups.map((g) => ({ metadata: { namespace: ref.namespace, name: g.name, annotations: { ...(g.annotations ?? {}), ...(annotation ? { [NODE_WAIT_ANNOTATION]: JSON.stringify(annotation) } : {}) } } }));
  const connected: ClusterIdentity[] = [];
  const gets: string[] = [];
  const clusterAccess: ClusterAccess = {
    connect: async (cluster) => {
      connected.push(cluster);
      return {
        get: async (path: string) => {
          gets.push(path);
          if (path.endsWith('/instancegroups')) return { items, metadata: { resourceVersion: '1' } };
          const found = items.find((i) => path.endsWith(`/instancegroups/${i.metadata.name}`));
          if (!found) throw Object.assign(new Error('not found'), { statusCode: 404 });
          return found;
        },
      } as unknown as KubeRest;
    },
  };
  return { clusterAccess, connected, gets };
}

describe('node-ready events hand the eks-cf node-join wait back to its workflow', () => {
  let sfn: LocalStepFunctions;
  let client: SFNClient;
  let parked: TokenWait;

  beforeAll(async () => {
    parked = await startTokenWait('wait-nodes', { state: 'Wait For Nodes To Join', functionArn: 'AwaitNodesFunctionArn', resultPath: '$.nodeEvent' });
    ({ sfn, client } = parked);
  });
  afterAll(() => parked.close());

  async function waiting(name: string): Promise<{ executionArn: string; wait: NodeWait }> {
    const { executionArn, taskToken } = await parked.park(name);
    return { executionArn, wait: { taskToken, executionArn } };
  }

  it('reads the wait annotation, and only a well-formed one', () => {
    expect(parseNodeWait(JSON.stringify({ taskToken: 't', executionArn: 'arn' }))).toEqual({ taskToken: 't', executionArn: 'arn' });
    expect(parseNodeWait(undefined)).toBeUndefined();
    expect(parseNodeWait('not json')).toBeUndefined();
    expect(parseNodeWait(JSON.stringify({ taskToken: '', executionArn: 'arn' }))).toBeUndefined();
    expect(parseNodeWait(JSON.stringify({ stackName: 'x' }))).toBeUndefined();
  });

  it('a Ready node completes the wait with SendTaskSuccess, in the cluster the event came from; a second event is a no-op', async () => {
    const { executionArn, wait } = await waiting('ready');
    const deps = stubs(wait);
    await expect(handleNodeReady(event(), { ...deps, sfn: client, log: silent })).resolves.toEqual({ handed: 'success', node: 'ip-10-0-0-1', executionArn });
    expect(deps.connected).toEqual([home]);
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).nodeEvent).toEqual({ node: 'ip-10-0-0-1', eventTime: '2026-12-01T00:00:00.000Z', seenBy: 'node-event' });
    // Another node of the same group (or the same event delivered twice): the token is spent.
    await expect(handleNodeReady(event(ref, 'ip-10-0-0-2'), { ...stubs(wait), sfn: client, log: silent })).resolves.toEqual({ skipped: 'token-spent', node: 'ip-10-0-0-2' });
  });

  it('finds a group whose name the node label carries hashed (names past 63 characters)', async () => {
    const { executionArn, wait } = await waiting('long-name');
    const long = `a-very-long-instance-group-name-${'x'.repeat(60)}`;
    const deps = stubs(wait, [{ name: 'other' }, { name: long }]);
    await expect(handleNodeReady(event({ namespace: ref.namespace, name: labelSafe(long) }), { ...deps, sfn: client, log: silent })).resolves.toMatchObject({ handed: 'success' });
    await sfn.waitForExecution(executionArn);
  });

  it('skips groups that are gone or wait for nothing, and names what a malformed event lacks', async () => {
    await expect(handleNodeReady(event({ namespace: ref.namespace, name: 'gone' }), { ...stubs(undefined), sfn: client, log: silent })).resolves.toEqual({ skipped: 'group-gone', node: 'ip-10-0-0-1' });
    await expect(handleNodeReady(event(), { ...stubs(undefined), sfn: client, log: silent })).resolves.toEqual({ skipped: 'no-wait', node: 'ip-10-0-0-1' });
    await expect(handleNodeReady({ detail: { version: 1 } } as never, { ...stubs(undefined), sfn: client, log: silent })).rejects.toThrow(/cluster.name, group.namespace, group.name and node/);
  });

  describe('the waiting side (eks-cf-wait-for-nodes-to-join)', () => {
    function awaitDeps(desired: number, readyNodes: number) {
      const patches: { path: string; body: unknown }[] = [];
      const instances = Array.from({ length: desired }, (_, i) => ({ InstanceId: `i-${i}`, AvailabilityZone: 'us-west-2a', LifecycleState: 'InService' }));
      const nodes = instances.slice(0, readyNodes).map((i) => ({
        metadata: { name: `node-${i.InstanceId}`, labels: { 'instancemgr.keikoproj.io/namespace': 'team-a', 'instancemgr.keikoproj.io/instancegroup': 'web', 'node-role.kubernetes.io/web': '' } },
        spec: { providerID: `aws:///us-west-2a/${i.InstanceId}` },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      }));
      const kube = {
        request: async (_method: string, path: string, options: { body: unknown }) => void patches.push({ path, body: options.body }),
        get: async () => ({ items: nodes, metadata: {} }),
      };
      const autoscaling = { send: async () => ({ AutoScalingGroups: [{ DesiredCapacity: desired, Instances: instances }] }) } as unknown as AutoScalingClient;
      return { patches, deps: { sfn: client, autoscaling, clusterAccess: { connect: async () => kube as unknown as KubeRest } } };
    }
    const input = (wait: NodeWait) => ({ cluster: home, ref, nodesCluster: { ...home, name: 'nodes-cluster' }, scalingGroupName: 'asg', wait });

    it('leaves the token on the group and keeps waiting while nodes are missing', async () => {
      const { executionArn, wait } = await waiting('await-missing');
      const { patches, deps } = awaitDeps(3, 1);
      await expect(awaitNodes(input(wait), deps)).resolves.toEqual({ waiting: true, ready: 1, desired: 3 });
      expect(patches).toEqual([
        { path: '/apis/instancemgr.keikoproj.io/v1alpha1/namespaces/team-a/instancegroups/web', body: { metadata: { annotations: { [NODE_WAIT_ANNOTATION]: JSON.stringify(wait) } } } },
      ]);
      expect(sfn.openTaskTokens(executionArn)).toHaveLength(1);
      await sfn.stopExecution({ executionArn });
    });

    it('hands the token back itself when every node was Ready before the token was stored (no event will)', async () => {
      const { executionArn, wait } = await waiting('await-ready');
      const { deps } = awaitDeps(2, 2);
      await expect(awaitNodes(input(wait), deps)).resolves.toEqual({ waiting: false, ready: 2, desired: 2 });
      const done = await sfn.waitForExecution(executionArn);
      expect(JSON.parse(done.output!).nodeEvent).toEqual({ ready: 2, desired: 2, seenBy: 'await' });
    });
  });
});
