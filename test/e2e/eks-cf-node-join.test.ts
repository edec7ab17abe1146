// The eks-cf "Wait For Nodes To Join" loop on the local control plane, with the wait switched on. The node emulator
// is switched off here (nodes: false), so that the test decides which Nodes exist: in NodesJoin the test itself registers a Node for each instance of the group's Auto Scaling group, as an
// administrator would (kubectl create, then the status subresource), standing in for kubelet. The workflow's side
// (ASG instances from moto, Nodes by providerID through the real API server with the workflows' RBAC, labels,
// counts, conditions) is the real one.
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { stringify } from 'yaml';
import type { InstanceGroup } from '../../core/spec/types.js';
import { conditionOf, useControlPlane } from '../support/e2e.js';
import { clone, loadManifest, REFERENCE_SAMPLES } from '../support/fixtures.js';

const JOIN_TIMEOUT_SECONDS = 4;
const saved = { wait: process.env.NODE_JOIN_WAIT, timeout: process.env.NODE_JOIN_TIMEOUT_SECONDS };
process.env.NODE_JOIN_WAIT = 'on';
process.env.NODE_JOIN_TIMEOUT_SECONDS = String(JOIN_TIMEOUT_SECONDS);
afterAll(() => {
  for (const [key, value] of [['NODE_JOIN_WAIT', saved.wait], ['NODE_JOIN_TIMEOUT_SECONDS', saved.timeout]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const bed = useControlPlane({ nodes: false, interceptable: { 'eks-cf-apply': ['Check Nodes'] } });

function seededSample(name: string): InstanceGroup {
  const sample = clone(loadManifest(REFERENCE_SAMPLES.eksCf));
  sample.metadata.name = name;
  Object.assign(sample.spec['eks-cf']!.configuration, {
    subnets: bed.account.subnetIds,
    securityGroups: [bed.account.securityGroupId],
    image: bed.account.imageId,
  });
  return sample;
}

/** Registers a Ready Node for every instance of the Auto Scaling group, labelled as its user data asks. */
async function registerNodes(asgName: string, labels: Record<string, string>): Promise<string[]> {
  const { AutoScalingGroups } = await bed.aws.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
  const names: string[] = [];
  for (const instance of AutoScalingGroups?.[0]?.Instances ?? []) {
    const name = `ip-${instance.InstanceId}.us-west-2.compute.internal`;
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { providerID: `aws:///${instance.AvailabilityZone}/${instance.InstanceId}` } };
    bed.kubectl(['create', '-f', '-'], stringify(node));
    const status = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] } };
    bed.kubectl(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    names.push(name);
  }
  return names;
}

describe('eks-cf: Ready means the nodes joined', () => {
  test('NodesJoin: the instances\' Nodes are found by providerID, labelled with the group role, and counted Ready', async () => {
    const ref = { namespace: 'joins', name: 'hello-world' };
    let registered: string[] = [];
    bed.intercept('eks-cf-apply', 'Check Nodes', ref, async (event, context, real) => {
      const asg = (event as unknown as { stack: { observed: { activeScalingGroupName: string } } }).stack.observed.activeScalingGroupName;
      if (!registered.length) {
        registered = await registerNodes(asg, { 'instancemgr.keikoproj.io/namespace': 'joins', 'instancemgr.keikoproj.io/instancegroup': 'hello-world' });
      }
      return real(event, context);
    });
    const group = await bed.ready(ref.namespace, seededSample(ref.name));
    expect(registered).toHaveLength(1);
    expect(group.status).toMatchObject({ desiredNodes: 1, readyNodes: 1 });
    expect(conditionOf(group, 'NodesReady')).toMatchObject({ status: 'True', reason: 'NodesJoined', message: '1 of 1 nodes joined the cluster and are Ready.' });
    const node = JSON.parse(bed.kubectl(['get', 'node', registered[0]!, '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
    expect(node.metadata.labels).toMatchObject({
      'node-role.kubernetes.io/hello-world': '',
      'instancemgr.keikoproj.io/namespace': 'joins',
      'instancemgr.keikoproj.io/instancegroup': 'hello-world',
    });
    expect(bed.kubectl(['get', 'nodes'])).toMatch(/ip-i-\S+\s+Ready\s+hello-world\s/);
    const { path } = await bed.execution(group);
    expect(path.slice(path.indexOf('Start Counting Nodes'))).toEqual(['Start Counting Nodes', 'Check Nodes', 'Have The Nodes Joined?', 'Report Ready', 'Ready']);

    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
    for (const name of registered) bed.kubectl(['delete', 'node', name]);
  });

  test('NodesNeverJoin: past the bound the group ends in Error saying 0 of 1 nodes joined and what to check', async () => {
    const { group, execution } = await bed.failing('no-nodes', seededSample('hello-world'));
    expect(group.status).toMatchObject({ currentState: 'Error', desiredNodes: 1, readyNodes: 0 });
    const ready = conditionOf(group)!;
    expect(ready.reason).toBe('NodesNotJoined');
    expect(ready.message).toMatch(new RegExp(`^0 of 1 nodes joined within ${JOIN_TIMEOUT_SECONDS} s; check the node role mapping`));
    expect(ready.message).toContain('the security group');
    expect(conditionOf(group, 'NodesReady')).toMatchObject({ status: 'False', reason: 'NodesNotJoined' });
    expect(group.status!.lastExecution?.retryable).toBe(false);
    expect(execution.error).toBe('NodesNotJoinedError');
    expect(execution.path.filter((s) => s === 'Wait For Nodes To Join').length).toBeGreaterThan(0);
    expect(execution.path.slice(-2)).toEqual(['Report Nodes Not Joined', 'Nodes Did Not Join']);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });
});
