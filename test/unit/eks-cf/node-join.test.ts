import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { KubeRest } from '../../../core/kube/rest.js';
import { joinProgress, joinTimeoutSeconds, joinWaitEnabled, nextWait, skippedProgress } from '../../../functions/eks-cf/node-join.js';
import { instanceIdOf, scalingGroupInstances, takeCensus, type KubeNode } from '../../../functions/shared/nodes.js';
import { stubClient } from '../eks-managed/stub-eks.js';

const group = { namespace: 'team-a', name: 'hello-world' };
const node = (name: string, providerID: string, ready: boolean, labels: Record<string, string> = {}): KubeNode => ({
  metadata: { name, labels },
  spec: { providerID },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

/** A stubbed API server holding Nodes: answers the list (in pages) and records merge patches. */
function fakeKube(nodes: KubeNode[]) {
  const patches: { path: string; body: unknown; contentType?: string }[] = [];
  const kube = {
    get: async (_path: string, query: { continue?: string }) =>
      query.continue ? { items: nodes.slice(2), metadata: {} } : { items: nodes.slice(0, 2), metadata: { continue: nodes.length > 2 ? 'next' : '' } },
    request: async (_m: string, path: string, options: { body: unknown; contentType?: string }) => patches.push({ path, ...options }),
  };
  return { kube: kube as unknown as KubeRest, patches };
}

describe('counting a group\'s nodes', () => {
  const scaling = {
    desired: 3,
    instances: [
      { id: 'i-1', zone: 'us-west-2a', lifecycle: 'InService' },
      { id: 'i-2', zone: 'us-west-2b', lifecycle: 'InService' },
      { id: 'i-3', zone: 'us-west-2c', lifecycle: 'Pending' },
    ],
  };

  it('matches Nodes by providerID, counts the Ready ones and labels those missing the group labels', async () => {
    const labelled = { 'instancemgr.keikoproj.io/namespace': 'team-a', 'instancemgr.keikoproj.io/instancegroup': 'hello-world', 'node-role.kubernetes.io/hello-world': '' };
    const { kube, patches } = fakeKube([
      node('ip-10-0-0-1', 'aws:///us-west-2a/i-1', true, { 'instancemgr.keikoproj.io/namespace': 'team-a', 'instancemgr.keikoproj.io/instancegroup': 'hello-world' }),
      node('ip-10-0-0-2', 'aws:///us-west-2b/i-2', false, labelled),
      node('other-group', 'aws:///us-west-2a/i-9', true),
    ]);
    const census = await takeCensus(kube, group, scaling);
    expect(census).toEqual({ desired: 3, instances: 3, registered: 2, ready: 1, labelled: ['ip-10-0-0-1'] });
    expect(patches).toEqual([
      { path: '/api/v1/nodes/ip-10-0-0-1', body: { metadata: { labels: { 'node-role.kubernetes.io/hello-world': '' } } }, contentType: 'application/merge-patch+json' },
    ]);
  });

  it('reads instance IDs from providerIDs, with or without the zone', () => {
    expect(instanceIdOf('aws:///us-west-2a/i-0abc')).toBe('i-0abc');
    expect(instanceIdOf('aws:///i-0abc')).toBe('i-0abc');
    expect(instanceIdOf('kwok://node-1')).toBeUndefined();
  });

  it('waits only for instances that are pending or in service', async () => {
    const { client } = stubClient<AutoScalingClient>({
      DescribeAutoScalingGroups: () => ({
        AutoScalingGroups: [
          {
            DesiredCapacity: 2,
            Instances: [
              { InstanceId: 'i-1', AvailabilityZone: 'a', LifecycleState: 'InService' },
              { InstanceId: 'i-2', AvailabilityZone: 'b', LifecycleState: 'Terminating' },
              { InstanceId: 'i-3', AvailabilityZone: 'c', LifecycleState: 'Pending' },
            ],
          },
        ],
      }),
    });
    const { desired, instances } = await scalingGroupInstances(client, 'asg');
    expect([desired, instances.map((i) => i.id)]).toEqual([2, ['i-1', 'i-3']]);
  });
});

describe('the Wait For Nodes To Join loop', () => {
  const start = '2026-01-01T00:00:00.000Z';
  const at = (seconds: number) => new Date(Date.parse(start) + seconds * 1000);
  const look = (ready: number, polls: number, seconds: number) =>
    joinProgress({ desired: 3, ready, registered: ready, polls, startedAt: start, now: at(seconds), timeoutSeconds: 900, observed: { stackName: 's' } });

  it('waits 5, 10, 20, then 30 seconds between looks', () => {
    expect([1, 2, 3, 4, 5, 40].map(nextWait)).toEqual([5, 10, 20, 30, 30, 30]);
  });

  it('is done once every desired node is Ready, with the counts for status', () => {
    const done = look(3, 4, 60);
    expect(done).toMatchObject({ joined: true, timedOut: false, observed: { stackName: 's', desiredNodes: 3, readyNodes: 3 } });
    expect(done.count).toEqual({ desired: 3, ready: 3, checked: true, message: '3 of 3 nodes joined the cluster and are Ready.' });
  });

  it('keeps waiting within the bound, and past it says how many joined and what to check', () => {
    expect(look(1, 3, 899)).toMatchObject({ joined: false, timedOut: false, nextWaitSeconds: 20 });
    const late = look(0, 33, 900);
    expect(late).toMatchObject({ joined: false, timedOut: true });
    expect(late.message).toMatch(/^0 of 3 nodes joined within 900 s; check the node role mapping .* the user data .* the security group .* the API endpoint/);
  });

  it('a group of zero nodes has joined at once', () => {
    expect(joinProgress({ desired: 0, ready: 0, registered: 0, polls: 1, startedAt: start, now: at(0), timeoutSeconds: 900, observed: {} }).joined).toBe(true);
  });

  it('is switched off only by NODE_JOIN_WAIT=off, and then reports NodesReady as not checked', () => {
    expect(joinWaitEnabled({})).toBe(true);
    expect(joinWaitEnabled({ NODE_JOIN_WAIT: 'on' })).toBe(true);
    expect(joinWaitEnabled({ NODE_JOIN_WAIT: 'off' })).toBe(false);
    expect(skippedProgress({ stackName: 's' }, at(0))).toMatchObject({ joined: true, skipped: true, count: { checked: false } });
    expect(joinTimeoutSeconds(900, {})).toBe(900);
    expect(joinTimeoutSeconds(900, { NODE_JOIN_TIMEOUT_SECONDS: '30' })).toBe(30);
  });
});
