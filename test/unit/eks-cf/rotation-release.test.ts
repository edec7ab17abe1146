// A batch that stops or is abandoned gives back exactly the capacity it surged (release.ts).
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { KubeApiError, type KubeRest } from '../../../core/kube/rest.js';
import { CORDON_ANNOTATION, cordonedByOlder } from '../../../functions/eks-cf/rotation/drain.js';
import { describeRelease, releasePass, type BatchFacts, type Release } from '../../../functions/eks-cf/rotation/release.js';
import type { RotationClients } from '../../../functions/eks-cf/rotation/scaling-group.js';

interface FakeNode {
  metadata: { name: string; annotations: Record<string, string> };
  spec: { providerID: string; unschedulable?: boolean };
}

/** A cluster of nodes named after their instances, with pods per node; evictions of `refuse` get a 429. */
function world(instances: string[], pods: Record<string, string[]>, refuse: string[] = []) {
  const nodes: FakeNode[] = instances.map((id) => ({ metadata: { name: id, annotations: {} }, spec: { providerID: `aws:///z/${id}` } }));
  const live = new Set(instances);
  const terminated: { id: string; decrement: boolean }[] = [];
  const evictions: string[] = [];
  const kube = {
    get: async (path: string, query: { fieldSelector?: string } = {}) => {
      if (path === '/api/v1/nodes') return { items: nodes.filter((n) => live.has(n.metadata.name)) };
      const on = query.fieldSelector?.replace('spec.nodeName=', '') ?? '';
      return { items: (pods[on] ?? []).map((name) => ({ metadata: { name, namespace: 'web' }, spec: { nodeName: on }, status: { phase: 'Running' } })) };
    },
    request: async (method: string, path: string, options: { body?: { metadata?: { annotations?: Record<string, string | null> }; spec?: { unschedulable?: boolean | null } } } = {}) => {
      const nodeName = /\/api\/v1\/nodes\/([^/]+)$/.exec(path)?.[1];
      const target = nodes.find((n) => n.metadata.name === nodeName);
      if (method === 'PATCH' && target) {
        for (const [k, v] of Object.entries(options.body?.metadata?.annotations ?? {})) {
          if (v === null) delete target.metadata.annotations[k];
          else target.metadata.annotations[k] = v;
        }
        target.spec.unschedulable = options.body?.spec?.unschedulable ?? undefined;
        return {};
      }
      if (path.endsWith('/eviction')) {
        const name = path.split('/')[6]!;
        if (refuse.includes(name)) {
          throw new KubeApiError(429, 'TooManyRequests', 'Cannot evict pod', {
            details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 4 healthy pods' }] },
          });
        }
        evictions.push(name);
        for (const list of Object.values(pods)) if (list.includes(name)) list.splice(list.indexOf(name), 1);
      }
      return {};
    },
  } as unknown as KubeRest;
  const autoscaling = {
    send: async (command: { constructor: { name: string }; input: { InstanceId?: string; ShouldDecrementDesiredCapacity?: boolean } }) => {
      if (command.constructor.name === 'DescribeAutoScalingGroupsCommand') {
        return { AutoScalingGroups: [{ DesiredCapacity: live.size, Instances: [...live].map((InstanceId) => ({ InstanceId, LifecycleState: 'InService' })) }] };
      }
      if (command.constructor.name === 'TerminateInstanceInAutoScalingGroupCommand') {
        terminated.push({ id: command.input.InstanceId!, decrement: !!command.input.ShouldDecrementDesiredCapacity });
        live.delete(command.input.InstanceId!);
        return {};
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  } as unknown as AutoScalingClient;
  const cordonAll = (ids: string[], generation = '2') =>
    ids.forEach((id) => Object.assign(nodes.find((n) => n.metadata.name === id)!, { spec: { providerID: `aws:///z/${id}`, unschedulable: true } }).metadata.annotations[CORDON_ANNOTATION] = generation);
  return { kube, clients: { autoscaling, ec2: {} } as unknown as RotationClients, nodes, terminated, evictions, cordonAll };
}

const facts = (over: Partial<BatchFacts> = {}): BatchFacts => ({
  scalingGroupName: 'asg',
  instanceIds: ['i-old1'],
  before: ['i-old1', 'i-old2'],
  settings: { batchSize: 1, pauseSeconds: 0, drainTimeoutSeconds: 60, drainTimeoutAction: 'stop' },
  generation: 2,
  ...over,
});
const start = (owed: number, since = new Date().toISOString()): Release => ({ owed, given: [], since, done: false });

describe('a stopped or abandoned batch gives back its surge', () => {
  test('the batch\'s node still holds pods: the empty surge node goes (desired decremented), the batch\'s node is uncordoned', async () => {
    const w = world(['i-old1', 'i-old2', 'i-surge'], { 'i-old1': ['web-a'], 'i-old2': ['web-b'] });
    w.cordonAll(['i-old1']);
    const release = await releasePass(w.kube, w.clients, facts(), start(1));
    expect(release).toMatchObject({ done: true, given: ['i-surge'], uncordoned: ['i-old1'] });
    expect(w.terminated).toEqual([{ id: 'i-surge', decrement: true }]);
    expect(w.nodes.find((n) => n.metadata.name === 'i-old1')?.spec.unschedulable).toBeUndefined();
    expect(w.evictions).toEqual([]);
    expect(describeRelease(release)).toBe('nodes i-old1 uncordoned; gave back i-surge (desired capacity decremented)');
  });

  test('a batch node already drained goes instead: it was outdated, so the batch keeps that progress', async () => {
    const w = world(['i-old1', 'i-old2', 'i-surge'], { 'i-surge': ['web-a'] });
    w.cordonAll(['i-old1']);
    const release = await releasePass(w.kube, w.clients, facts(), start(1));
    expect(release).toMatchObject({ done: true, given: ['i-old1'] });
    expect(w.terminated).toEqual([{ id: 'i-old1', decrement: true }]);
    expect(w.evictions).toEqual([]);
  });

  test('pods on the surge node leave through the Eviction API first; a budget that holds them is waited for', async () => {
    const w = world(['i-old1', 'i-old2', 'i-surge'], { 'i-old1': ['web-a'], 'i-surge': ['web-b', 'web-c'] }, ['web-c']);
    w.cordonAll(['i-old1']);
    const first = await releasePass(w.kube, w.clients, facts(), start(1));
    expect(first).toMatchObject({ done: false, given: [], blocked: { pod: 'web/web-c', budget: 'web/web' } });
    expect(w.evictions).toEqual(['web-b']);
    expect(w.nodes.find((n) => n.metadata.name === 'i-surge')?.spec.unschedulable).toBe(true);
    expect(w.terminated).toEqual([]);
  });

  test('past drainTimeout with action stop the surge node is uncordoned and kept, and the message says so', async () => {
    const w = world(['i-old1', 'i-old2', 'i-surge'], { 'i-old1': ['web-a'], 'i-surge': ['web-c'] }, ['web-c']);
    const long = new Date(Date.now() - 120_000).toISOString();
    const release = await releasePass(w.kube, w.clients, facts(), start(1, long));
    expect(release).toMatchObject({ done: true, given: [], kept: ['i-surge'] });
    expect(w.nodes.find((n) => n.metadata.name === 'i-surge')?.spec.unschedulable).toBeUndefined();
    expect(describeRelease(release)).toMatch(/kept surge instance i-surge: PodDisruptionBudget web\/web holds pod web\/web-c/);
  });

  test('nothing surged: nothing terminated, the batch is only uncordoned', async () => {
    const w = world(['i-old1', 'i-old2'], {});
    w.cordonAll(['i-old1']);
    expect(await releasePass(w.kube, w.clients, facts(), start(0))).toMatchObject({ done: true, given: [], uncordoned: ['i-old1'] });
    expect(w.terminated).toEqual([]);
  });

  test('a newer generation sees what an older rotation still holds cordoned', () => {
    const w = world(['i-a', 'i-b', 'i-c'], {});
    w.cordonAll(['i-a'], '2');
    w.cordonAll(['i-b'], '3');
    expect(cordonedByOlder(w.nodes as never, 3).map((n) => n.metadata.name)).toEqual(['i-a']);
    expect(cordonedByOlder(w.nodes as never, 2)).toEqual([]);
  });
});
