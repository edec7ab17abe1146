// Drain-aware rotation of an eks-cf group on the local control plane (issue 12): instances boot into Nodes
// (local/instances), kwok runs the pods, kube-controller-manager runs ReplicaSets and keeps PodDisruptionBudget
// status, so the Eviction API answers as in a real cluster. A change of instance type gives the launch template a
// new version; the workflow replaces every node in batches of maxUnavailable.
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { stringify } from 'yaml';
import { KubeRest } from '../../core/kube/rest.js';
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { conditionOf, useControlPlane } from '../support/e2e.js';
import { clone, loadManifest, REFERENCE_SAMPLES } from '../support/fixtures.js';

const bed = useControlPlane();
const ROTATION_TIMEOUT_MS = 420_000;

function rotatingGroup(name: string, rollingUpdate: Record<string, unknown>, size = 4): InstanceGroup {
  const sample = clone(loadManifest(REFERENCE_SAMPLES.eksCf));
  sample.metadata.name = name;
  sample.spec.strategy = { type: 'rollingUpdate', rollingUpdate: { maxUnavailable: 1, pauseTime: 'PT0S', ...rollingUpdate } };
  const cf = sample.spec['eks-cf']!;
  Object.assign(cf, { minSize: size, maxSize: size + 1 });
  Object.assign(cf.configuration, { subnets: bed.account.subnetIds, securityGroups: [bed.account.securityGroupId], image: bed.account.imageId });
  return sample;
}

/** A Deployment of 4 replicas pinned to the group's nodes (tolerating the sample's taint), and its budget. */
function workload(namespace: string, group: string, budget: Record<string, unknown>): string {
  const labels = { app: 'web' };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: {
      replicas: 4,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { 'instancemgr.keikoproj.io/namespace': namespace, 'instancemgr.keikoproj.io/instancegroup': group },
          tolerations: [{ key: 'my-taint-key', operator: 'Exists' }],
          containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10' }],
        },
      },
    },
  };
  const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace }, spec: { selector: { matchLabels: labels }, ...budget } };
  return [deployment, pdb].map((o) => stringify(o)).join('---\n');
}

interface KubeNodeView {
  metadata: { name: string };
  spec?: { providerID?: string; unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

function kubeClient(): KubeRest {
  return new KubeRest(connectionFromKubeconfig(bed.plane.kubeconfigPath));
}

/** The group's Nodes: `group` is "<namespace>/<name>" (groups of the same name live in other namespaces here). */
async function groupNodes(kube: KubeRest, group: string): Promise<KubeNodeView[]> {
  const [namespace, name] = group.split('/');
  const labelSelector = `instancemgr.keikoproj.io/namespace=${namespace},instancemgr.keikoproj.io/instancegroup=${name}`;
  const list = await kube.get<{ items: KubeNodeView[] }>('/api/v1/nodes', { labelSelector });
  return list.items;
}

const ready = (n: KubeNodeView) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Samples the Deployment's Ready replicas and the group's unschedulable nodes until stopped. */
function watchDisruption(kube: KubeRest, namespace: string, group: string) {
  const seen = { minReadyReplicas: Number.POSITIVE_INFINITY, maxUnschedulable: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const deployment = await kube.get<{ status?: { readyReplicas?: number } }>(`/apis/apps/v1/namespaces/${namespace}/deployments/web`);
      const nodes = await groupNodes(kube, `${namespace}/${group}`);
      seen.minReadyReplicas = Math.min(seen.minReadyReplicas, deployment.status?.readyReplicas ?? 0);
      seen.maxUnschedulable = Math.max(seen.maxUnschedulable, nodes.filter((n) => n.spec?.unschedulable).length);
      seen.samples++;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { seen, stop: async () => ((running = false), await loop) };
}

/** Every pod request the workflows make: evictions must be POSTs to the eviction subresource, never a DELETE. */
function recordPodRequests() {
  const calls: string[] = [];
  const original = KubeRest.prototype.request;
  KubeRest.prototype.request = function (this: KubeRest, method: string, path: string, options?: object) {
    if (/\/pods\//.test(path)) calls.push(`${method} ${path}`);
    return original.call(this, method, path, options) as never;
  } as typeof original;
  return { calls, restore: () => (KubeRest.prototype.request = original) };
}

async function waitFor<T>(what: string, look: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await look();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The group's Auto Scaling group as moto has it: desired capacity and live instances. */
async function scalingGroup(namespace: string, name: string): Promise<{ desired: number; instances: string[] }> {
  const asgName = bed.group({ namespace, name })?.status?.activeScalingGroupName;
  if (!asgName) throw new Error(`${namespace}/${name} has no activeScalingGroupName in status`);
  const { AutoScalingGroups } = await bed.aws.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
  const group = AutoScalingGroups?.[0];
  const live = (group?.Instances ?? []).filter((i) => ['Pending', 'InService'].includes(String(i.LifecycleState)));
  return { desired: group?.DesiredCapacity ?? -1, instances: live.map((i) => i.InstanceId!).sort() };
}

async function readyReplicas(kube: KubeRest, namespace: string): Promise<number> {
  const d = await kube.get<{ status?: { readyReplicas?: number } }>(`/apis/apps/v1/namespaces/${namespace}/deployments/web`);
  return d.status?.readyReplicas ?? 0;
}

describe('eks-cf: drain-aware rotation', () => {
  test('HappyPath: a new instance type replaces all 4 nodes one at a time; pods are evicted, never below the budget', async () => {
    const ns = 'rotation';
    const kube = kubeClient();
    const first = await bed.ready(ns, rotatingGroup('web-nodes', {}));
    const before = (await groupNodes(kube, `${ns}/web-nodes`)).map((n) => n.metadata.name).sort();
    expect(before).toHaveLength(4);
    bed.kubectl(['apply', '-n', ns, '-f', '-'], workload(ns, 'web-nodes', { minAvailable: 3 }));
    await waitFor('4 Ready replicas', async () => ((await readyReplicas(kube, ns)) === 4 ? true : undefined));

    const pods = recordPodRequests();
    const watch = watchDisruption(kube, ns, 'web-nodes');
    try {
      const changed = clone(first);
      changed.spec['eks-cf']!.configuration.instanceType = 'm5.xlarge';
      bed.apply(ns, changed);
      const group = await bed.settled({ namespace: ns, name: 'web-nodes' }, { generation: 2, timeoutMs: ROTATION_TIMEOUT_MS });
      expect(group.status?.currentState).toBe('Ready');
      expect(conditionOf(group, 'NodesReady')).toMatchObject({ status: 'True' });
    } finally {
      await watch.stop();
      pods.restore();
    }

    // A terminated instance's Node goes away shortly after (the stand-in for the cloud controller polls).
    const after = await waitFor('the old Nodes to go', async () => {
      const nodes = await groupNodes(kube, `${ns}/web-nodes`);
      return nodes.length === 4 ? nodes : undefined;
    }, 60_000);
    expect(after).toHaveLength(4);
    expect(after.every(ready)).toBe(true);
    expect(after.map((n) => n.metadata.name).filter((n) => before.includes(n))).toEqual([]);
    expect(watch.seen.samples).toBeGreaterThan(0);
    expect(watch.seen.minReadyReplicas).toBeGreaterThanOrEqual(3);
    expect(watch.seen.maxUnschedulable).toBeLessThanOrEqual(1);
    expect(pods.calls.filter((c) => c.startsWith('POST ') && c.endsWith('/eviction')).length).toBeGreaterThanOrEqual(4);
    expect(pods.calls.filter((c) => c.startsWith('DELETE '))).toEqual([]);
    const progress = bed.events(ns, 'Rotating').map((e) => e.message);
    expect(progress).toContain('rotating: batch 4 of 4, 4 of 4 nodes replaced');
    const { path, arn } = await bed.execution(bed.group({ namespace: ns, name: 'web-nodes' })!);
    expect(path.filter((s) => s === 'Terminate Drained Instances')).toHaveLength(4);
    // Issue 17: the waits for Ready replacements end by the relay's node-ready event (or the wait's own look), never
    // by the 30 s fallback.
    const history = bed.plane.stepFunctions.getExecutionRecord(arn)!.events;
    const waits = history
      .filter((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Wait For Replacements')
      .map((e) => (JSON.parse(e.stateExitedEventDetails!.output!).replacementEvent as { seenBy?: string }).seenBy);
    expect(waits).toContain('node-event');
    expect(history.filter((e) => e.type === 'TaskTimedOut')).toEqual([]);
    kube.close();
  }, 600_000);

  test('BudgetBlocks: a PodDisruptionBudget that allows nothing stops the rotation naming it, uncordons; fixed and replayed it finishes', async () => {
    const ns = 'rotation-blocked';
    const kube = kubeClient();
    const first = await bed.ready(ns, rotatingGroup('web-nodes', { drainTimeout: 'PT5S' }));
    const originals = (await groupNodes(kube, `${ns}/web-nodes`)).map((n) => n.metadata.name);
    bed.kubectl(['apply', '-n', ns, '-f', '-'], workload(ns, 'web-nodes', { maxUnavailable: 0 }));
    await waitFor('4 Ready replicas', async () => ((await readyReplicas(kube, ns)) === 4 ? true : undefined));

    const changed = clone(first);
    changed.spec['eks-cf']!.configuration.instanceType = 'm5.xlarge';
    const { group, execution } = await bed.failing(ns, changed);
    expect(group.status?.currentState).toBe('Error');
    expect(conditionOf(group)?.message).toMatch(/PodDisruptionBudget rotation-blocked\/web/);
    expect(conditionOf(group)?.message).toMatch(/eviction of pod rotation-blocked\/web-/);
    expect(execution.path).toContain('Rotation Stopped');
    // The stopped batch gave its surged replacement back: desired capacity is 4 again, with the 4 original instances.
    expect(conditionOf(group)?.message).toMatch(/gave back i-\S+ \(desired capacity decremented\)/);
    const stopped = await scalingGroup(ns, 'web-nodes');
    expect(stopped.desired).toBe(4);
    expect(stopped.instances).toHaveLength(4);
    // None of the group's live instances is left cordoned. (The Node of the terminated surge instance may still be
    // there, cordoned, until the cluster notices its machine is gone; it is not one of the group's nodes any more.)
    const live = new Set(stopped.instances);
    const liveNodes = (await groupNodes(kube, `${ns}/web-nodes`)).filter((n) => live.has(n.spec?.providerID?.split('/').pop() ?? ''));
    expect(liveNodes).toHaveLength(4);
    expect(liveNodes.filter((n) => n.spec?.unschedulable)).toEqual([]);
    // imctl status says where the rotation stopped and what held it.
    const shown = await bed.imctl('status', '-n', ns);
    expect(shown.out).toMatch(/web-nodes: rotation stopped at batch \d of 4, \d of 4 nodes replaced .*waiting for PodDisruptionBudget rotation-blocked\/web/);

    bed.kubectl(['apply', '-n', ns, '-f', '-'], workload(ns, 'web-nodes', { minAvailable: 3 }));
    const replay = await bed.imctl('replay', `${ns}/web-nodes`, '--wait', '--timeout', '7m');
    expect(replay.code).toBe(0);
    // Every node is new, none cordoned, and the group has its 4 (no surge left over from the stopped batch).
    const before = new Set(originals);
    const nodes = await waitFor('only 4 new Nodes', async () => {
      const all = await groupNodes(kube, `${ns}/web-nodes`);
      return all.length === 4 && all.every(ready) && !all.some((n) => before.has(n.metadata.name)) ? all : undefined;
    }, 60_000);
    expect(nodes.filter((n) => n.spec?.unschedulable)).toEqual([]);
    const settledGroup = bed.group({ namespace: ns, name: 'web-nodes' });
    expect(settledGroup?.status?.currentState).toBe('Ready');
    expect(settledGroup?.status?.rotation).toBeUndefined();
    const finished = await scalingGroup(ns, 'web-nodes');
    expect(finished.desired).toBe(4);
    expect(finished.instances).toHaveLength(4);
    kube.close();
  }, 600_000);

  test('NewGeneration: a newer spec mid-rotation abandons the batch cleanly (surge given back, nothing cordoned) and its rotation takes over', async () => {
    const ns = 'rotation-superseded';
    const ref = { namespace: ns, name: 'web-nodes' };
    const kube = kubeClient();
    const first = await bed.ready(ns, rotatingGroup('web-nodes', { drainTimeout: 'PT10M' }));
    const originals = new Set((await groupNodes(kube, `${ns}/web-nodes`)).map((n) => n.metadata.name));
    // The budget first allows nothing, so generation 2's rotation is surely in the middle of its first batch.
    bed.kubectl(['apply', '-n', ns, '-f', '-'], workload(ns, 'web-nodes', { maxUnavailable: 0 }));
    await waitFor('4 Ready replicas', async () => ((await readyReplicas(kube, ns)) === 4 ? true : undefined));

    const pods = recordPodRequests();
    const watch = watchDisruption(kube, ns, 'web-nodes');
    try {
      const second = clone(first);
      second.spec['eks-cf']!.configuration.instanceType = 'm5.xlarge';
      const applied = bed.apply(ns, second);
      const waiting = (generation: number) =>
        waitFor(`generation ${generation}'s rotation to wait on the budget`, async () => {
          const rotation = bed.group(ref)?.status?.rotation;
          return rotation?.generation === generation && /PodDisruptionBudget rotation-superseded\/web/.test(rotation.waitingFor ?? '') ? rotation : undefined;
        }, 240_000);
      // (Which batch depends on where the scheduler put the pods: a node without any drains at once.)
      const blocked = await waiting(applied.metadata.generation);
      expect(blocked).toMatchObject({ batches: 4, total: 4 });
      expect(blocked.replaced).toBe(blocked.batch! - 1);
      const shown = await bed.imctl('status', '-n', ns);
      expect(shown.out).toContain(`web-nodes: rotating: batch ${blocked.batch} of 4, ${blocked.replaced} of 4 nodes replaced (generation ${applied.metadata.generation}); waiting for PodDisruptionBudget rotation-superseded/web`);
      const surged = await scalingGroup(ns, 'web-nodes');
      expect(surged.desired).toBe(5);

      const third = clone(bed.group(ref)!);
      third.spec['eks-cf']!.configuration.instanceType = 'm5.2xlarge';
      const newer = bed.apply(ns, third);
      expect(newer.metadata.generation).toBe(applied.metadata.generation + 1);
      const older = await waitFor('generation 2\'s execution to end', async () => {
        const execution = await bed.execution(applied).catch(() => undefined);
        return execution?.status === 'RUNNING' ? undefined : execution;
      }, 240_000);
      // It stopped without failing or rolling anything back: the batch was abandoned, later batches skipped.
      expect(older.status).toBe('SUCCEEDED');
      expect(older.path).toContain('Batch Abandoned');
      expect(older.path).not.toContain('Rotation Stopped');

      bed.kubectl(['apply', '-n', ns, '-f', '-'], workload(ns, 'web-nodes', { minAvailable: 3 }));
      const group = await bed.settled(ref, { generation: newer.metadata.generation, timeoutMs: ROTATION_TIMEOUT_MS });
      expect(group.status?.currentState).toBe('Ready');
      expect(group.status?.rotation).toBeUndefined();
      const { path } = await bed.execution(group);
      expect(path).toContain('Terminate Drained Instances');
    } finally {
      await watch.stop();
      pods.restore();
    }

    const nodes = await waitFor('4 new Nodes only', async () => {
      const all = await groupNodes(kube, `${ns}/web-nodes`);
      return all.length === 4 && all.every(ready) && !all.some((n) => originals.has(n.metadata.name)) ? all : undefined;
    }, 90_000);
    expect(nodes.filter((n) => n.spec?.unschedulable)).toEqual([]);
    const finished = await scalingGroup(ns, 'web-nodes');
    expect(finished.desired).toBe(4);
    expect(finished.instances).toHaveLength(4);
    expect(watch.seen.samples).toBeGreaterThan(0);
    expect(watch.seen.minReadyReplicas).toBeGreaterThanOrEqual(3);
    expect(watch.seen.maxUnschedulable).toBeLessThanOrEqual(1);
    expect(pods.calls.filter((c) => c.startsWith('DELETE '))).toEqual([]);
    const stackName = bed.group(ref)?.status?.stackName;
    const { Stacks } = await bed.aws.cf.send(new DescribeStacksCommand({ StackName: stackName }));
    expect(Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
    kube.close();
  }, 900_000);

  test('UpgradeLock: the annotation holds the rotation (status says so); removing it lets the rotation run', async () => {
    const ns = 'rotation-locked';
    const kube = kubeClient();
    try {
      const first = await bed.ready(ns, rotatingGroup('web-nodes', {}, 2));
      const before = (await groupNodes(kube, `${ns}/web-nodes`)).map((n) => n.metadata.name).sort();
      bed.kubectl(['annotate', '-n', ns, 'instancegroup', 'web-nodes', 'instancemgr.keikoproj.io/upgrade-locked=true']);
      const changed = clone(bed.group({ namespace: ns, name: 'web-nodes' })!);
      changed.spec['eks-cf']!.configuration.instanceType = 'm5.xlarge';
      bed.apply(ns, changed);
      const held = await bed.settled({ namespace: ns, name: 'web-nodes' }, { generation: first.metadata.generation + 1 });
      expect(held.status?.currentState).toBe('Ready');
      expect(conditionOf(held, 'Degraded')).toMatchObject({ status: 'True', reason: 'UpgradeHeld' });
      expect(conditionOf(held, 'Degraded')?.message).toMatch(/upgrade held: 2 outdated nodes .*remove the annotation/);
      expect((await groupNodes(kube, `${ns}/web-nodes`)).map((n) => n.metadata.name).sort()).toEqual(before);
      const { path } = await bed.execution(held);
      expect(path.slice(-2)).toEqual(['Report Upgrade Held', 'Upgrade Held']);

      bed.kubectl(['annotate', '-n', ns, 'instancegroup', 'web-nodes', 'instancemgr.keikoproj.io/upgrade-locked-']);
      const rotated = await bed.settled({ namespace: ns, name: 'web-nodes' }, { generation: held.metadata.generation, attempt: 2, timeoutMs: ROTATION_TIMEOUT_MS });
      expect(rotated.status?.currentState).toBe('Ready');
      const second = await bed.execution(rotated, { attempt: 2 });
      expect(second.path.filter((p) => p === 'Terminate Drained Instances')).toHaveLength(2);
      expect(conditionOf(rotated, 'Degraded')?.status ?? 'False').toBe('False');
      const after = await waitFor('the old Nodes to go', async () => {
        const nodes = await groupNodes(kube, `${ns}/web-nodes`);
        return nodes.length === 2 && nodes.every((n) => !before.includes(n.metadata.name)) ? nodes : undefined;
      }, 90_000);
      expect(after.every(ready)).toBe(true);
    } finally {
      kube.close();
    }
  }, 600_000);
});
