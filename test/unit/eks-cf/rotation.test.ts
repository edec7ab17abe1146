import { KubeApiError, type KubeRest } from '../../../core/kube/rest.js';
import { rollingUpdateDefaults } from '../../../core/spec/normalize.js';
import { budgetOf, cordon, drainPass, mustLeave, uncordon, CORDON_ANNOTATION } from '../../../functions/eks-cf/rotation/drain.js';
import { outdatedInstances, planRotation, progressMessage, surgeCount, type ScalingGroupFacts } from '../../../functions/eks-cf/rotation/plan.js';

const group = (versions: (string | undefined)[], over: Partial<ScalingGroupFacts> = {}): ScalingGroupFacts => ({
  name: 'asg',
  desired: versions.length,
  maxSize: versions.length + 1,
  version: '2',
  instances: versions.map((version, i) => ({ id: `i-${i}`, zone: 'us-west-2a', version })),
  ...over,
});

describe('rotation plan', () => {
  test('outdated instances are those launched from another launch template version than the group\'s', () => {
    expect(outdatedInstances(group(['1', '2', undefined, '1']))).toEqual(['i-0', 'i-2', 'i-3']);
  });

  test('batches of maxUnavailable (a count, or a percentage of the desired size), with readable progress', () => {
    const plan = planRotation(group(['1', '1', '1', '1', '1', '1', '1', '1']), rollingUpdateDefaults({ maxUnavailable: '25%' }, 9), 0);
    expect(plan.batches.map((b) => b.instanceIds.length)).toEqual([2, 2, 2, 2]);
    expect(progressMessage(plan.batches[1]!, 1)).toBe('rotating: batch 2 of 4, 3 of 8 nodes replaced');
    const one = planRotation(group(['1', '1', '2']), rollingUpdateDefaults({}, 4), 300);
    expect([one.batches.length, one.settings.batchSize, one.settings.pauseSeconds, one.settings.drainTimeoutAction]).toEqual([2, 1, 300, 'stop']);
    expect(planRotation(group(['2', '2']), rollingUpdateDefaults({}, 3), 0).needed).toBe(false);
  });

  test('minInstancesInService caps the batch so that many nodes stay in service while it drains, surge counted', () => {
    const eight = group(['1', '1', '1', '1', '1', '1', '1', '1'], { maxSize: 9 });
    expect(planRotation(eight, rollingUpdateDefaults({ maxUnavailable: 8, minInstancesInService: 6 }, 9), 0).settings.batchSize).toBe(3);
    expect(planRotation(eight, rollingUpdateDefaults({ maxUnavailable: 2, minInstancesInService: 6 }, 9), 0).settings.batchSize).toBe(2);
    expect(planRotation(group(['1', '1'], { maxSize: 2 }), rollingUpdateDefaults({ maxUnavailable: 2, minInstancesInService: 1 }, 2), 0).settings.batchSize).toBe(1);
  });

  test('surge launches replacements only where maxSize leaves room', () => {
    expect([surgeCount(4, 5, 2), surgeCount(4, 8, 2), surgeCount(4, 4, 2)]).toEqual([1, 2, 0]);
  });
});

/** A KubeRest stub: records requests and answers from a script. */
function stubKube(pods: object[], evict: (name: string) => void = () => undefined) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const kube = {
    get: async (path: string) => {
      calls.push({ method: 'GET', path });
      return { items: path === '/api/v1/pods' ? pods : [] };
    },
    request: async (method: string, path: string, options: { body?: unknown } = {}) => {
      calls.push({ method, path, body: options.body });
      if (path.endsWith('/eviction')) evict(path.split('/')[6]!);
      return {};
    },
  } as unknown as KubeRest;
  return { kube, calls };
}

const node = (name: string, annotations: Record<string, string> = {}) => ({ metadata: { name, annotations }, spec: { providerID: `aws:///z/i-${name}` } });
const pod = (name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, namespace: 'web', ...extra }, status: { phase: 'Running' } });

describe('drain', () => {
  test('DaemonSet and mirror pods stay, finished pods need nothing, everything else must leave', () => {
    expect(mustLeave(pod('a', { ownerReferences: [{ kind: 'DaemonSet', controller: true }] }) as never)).toBe(false);
    expect(mustLeave(pod('b', { annotations: { 'kubernetes.io/config.mirror': 'x' } }) as never)).toBe(false);
    expect(mustLeave({ ...pod('c'), status: { phase: 'Succeeded' } } as never)).toBe(false);
    expect(mustLeave(pod('d', { ownerReferences: [{ kind: 'ReplicaSet', controller: true }] }) as never)).toBe(true);
  });

  test('pods leave through the Eviction API, never a DELETE; a 429 names the pod and the budget', async () => {
    const refused = new KubeApiError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 3 healthy pods and has 3 currently' }] },
    });
    const { kube, calls } = stubKube([pod('a'), pod('b'), pod('ds', { ownerReferences: [{ kind: 'DaemonSet', controller: true }] })], (name) => {
      if (name === 'b') throw refused;
    });
    const look = await drainPass(kube, [node('n1')] as never);
    expect(look.evicted).toEqual(['web/a']);
    expect(look.blocked).toEqual([{ pod: 'web/b', budget: 'web/web-pdb', message: refused.message }]);
    expect(look.remaining).toBe(2);
    expect(calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    expect(calls.find((c) => c.path.endsWith('/pods/a/eviction'))?.body).toMatchObject({ apiVersion: 'policy/v1', kind: 'Eviction' });
    expect(budgetOf(refused)).toBe('web-pdb');
  });

  test('force at the drain timeout deletes gracefully instead of evicting', async () => {
    const { kube, calls } = stubKube([pod('a')]);
    await drainPass(kube, [node('n1')] as never, true);
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/v1/namespaces/web/pods/a']);
  });

  test('cordon marks the node as rotation\'s; uncordon releases only nodes rotation cordoned', async () => {
    const { kube, calls } = stubKube([]);
    await cordon(kube, [node('n1')] as never);
    expect(calls[0]!.body).toEqual({ metadata: { annotations: { [CORDON_ANNOTATION]: 'true' } }, spec: { unschedulable: true } });
    const released = await uncordon(kube, [node('n1', { [CORDON_ANNOTATION]: 'true' }), node('n2')] as never);
    expect(released).toEqual(['n1']);
    expect(calls.at(-1)!.body).toEqual({ metadata: { annotations: { [CORDON_ANNOTATION]: null } }, spec: { unschedulable: null } });
  });
});
