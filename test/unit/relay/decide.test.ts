import { DETAIL_TYPE, EVENT_SOURCE, isInstanceGroupChange, toPutEventsEntry } from '../../../core/events/index.js';
import { FINALIZER } from '../../../core/names/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import { decide, decision, executionKey, type ClusterInfo, type DecideMode } from '../../../in-cluster-relay/decide.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../../support/fixtures.js';

const cluster: ClusterInfo = { name: 'prod-1', defaults: { clusterName: 'prod-1', subnets: ['subnet-aaa'] } };
const sample = loadManifest(REFERENCE_SAMPLES.eksCf);

type Last = NonNullable<NonNullable<InstanceGroup['status']>['lastExecution']>;

function group(overrides: { generation?: number; observedGeneration?: number; last?: Last; deleting?: boolean; finalizers?: string[] } = {}): InstanceGroup {
  const g = clone(sample);
  g.metadata = {
    ...g.metadata,
    namespace: 'team-a',
    uid: '7d7a3c1e-0000-4000-8000-000000000001',
    generation: overrides.generation ?? 1,
    resourceVersion: '4242',
    ...(overrides.finalizers ? { finalizers: overrides.finalizers } : {}),
    ...(overrides.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  };
  if (overrides.observedGeneration !== undefined || overrides.last) {
    g.status = {
      ...(overrides.observedGeneration !== undefined ? { observedGeneration: overrides.observedGeneration } : {}),
      ...(overrides.last ? { lastExecution: overrides.last } : {}),
    };
  }
  return g;
}

const ALL_MODES: DecideMode[] = ['watch', 'initial', 'resync'];
const last = (l: Partial<Last>): Last => ({ operation: 'apply', attempt: 1, ...l });

describe('decide: when to forward', () => {
  it('a new object (generation 1, no status) is an apply, attempt 1, reason created', () => {
    const change = decide(group(), 'watch', cluster);
    expect(change).toMatchObject({ operation: 'apply', reason: 'created', attempt: 1 });
  });

  it('a new generation is an apply with reason updated', () => {
    const g = group({ generation: 3, observedGeneration: 2, last: last({ generation: 2, result: 'Succeeded' }) });
    for (const mode of ['watch', 'initial'] as const) expect(decision(g, mode)).toEqual({ operation: 'apply', reason: 'updated', attempt: 1 });
    expect(decision(g, 'resync')).toEqual({ operation: 'apply', reason: 'resync', attempt: 1 });
  });

  it('in sync: nothing, in every mode (start-up sends zero events for synced groups)', () => {
    const synced = group({ generation: 4, observedGeneration: 4, last: last({ generation: 4, result: 'Succeeded' }) });
    const observedWithoutExecution = group({ generation: 2, observedGeneration: 2 });
    for (const mode of ALL_MODES) {
      expect(decide(synced, mode, cluster)).toBeUndefined();
      expect(decide(observedWithoutExecution, mode, cluster)).toBeUndefined();
    }
  });

  it('status-only updates never produce a change: a running execution owns its generation', () => {
    const running = group({ generation: 2, observedGeneration: 1, last: last({ generation: 2, result: 'Running' }) });
    for (const mode of ALL_MODES) expect(decide(running, mode, cluster)).toBeUndefined();
  });

  it('a retryable failure is re-sent by the resync only, with attempt + 1', () => {
    const failed = group({ generation: 2, observedGeneration: 2, last: last({ generation: 2, result: 'Failed', retryable: true, attempt: 2 }) });
    expect(decide(failed, 'watch', cluster)).toBeUndefined();
    expect(decision(failed, 'resync')).toEqual({ operation: 'apply', reason: 'resync', attempt: 3 });
    expect(decision(failed, 'initial')).toEqual({ operation: 'apply', reason: 'resync', attempt: 3 });
  });

  it('a terminal failure is never re-sent (it needs a spec change or a replay)', () => {
    const terminal = group({ generation: 2, observedGeneration: 2, last: last({ generation: 2, result: 'Failed', retryable: false }) });
    const unspecified = group({ generation: 2, observedGeneration: 2, last: last({ generation: 2, result: 'Failed' }) });
    for (const mode of ALL_MODES) {
      expect(decide(terminal, mode, cluster)).toBeUndefined();
      expect(decide(unspecified, mode, cluster)).toBeUndefined();
    }
  });

  it('a failure of an older generation does not hide a new generation', () => {
    const g = group({ generation: 3, observedGeneration: 2, last: last({ generation: 2, result: 'Failed', retryable: false }) });
    expect(decision(g, 'watch')).toEqual({ operation: 'apply', reason: 'updated', attempt: 1 });
  });

  it('a deletion with our finalizer is a delete of the deletion generation', () => {
    const g = group({ generation: 3, observedGeneration: 2, deleting: true, finalizers: ['other.io/x', FINALIZER] });
    const change = decide(g, 'watch', cluster);
    expect(change).toMatchObject({ operation: 'delete', reason: 'deleted', attempt: 1, group: { generation: 3 } });
  });

  it('a deletion without our finalizer sends nothing (nothing of ours to clean up)', () => {
    for (const mode of ALL_MODES) {
      expect(decide(group({ deleting: true }), mode, cluster)).toBeUndefined();
      expect(decide(group({ deleting: true, finalizers: ['other.io/x'] }), mode, cluster)).toBeUndefined();
    }
  });

  it('a deletion already reported is not re-sent; a retryable delete failure is, by the resync', () => {
    const running = group({ generation: 3, deleting: true, finalizers: [FINALIZER], last: last({ generation: 3, operation: 'delete', result: 'Running' }) });
    for (const mode of ALL_MODES) expect(decide(running, mode, cluster)).toBeUndefined();
    const failed = group({
      generation: 3,
      deleting: true,
      finalizers: [FINALIZER],
      last: last({ generation: 3, operation: 'delete', result: 'Failed', retryable: true, attempt: 1 }),
    });
    expect(decide(failed, 'watch', cluster)).toBeUndefined();
    expect(decision(failed, 'resync')).toEqual({ operation: 'delete', reason: 'resync', attempt: 2 });
  });

  it('an apply report of the same generation does not count as a delete report', () => {
    const g = group({ generation: 3, deleting: true, finalizers: [FINALIZER], last: last({ generation: 3, operation: 'apply', result: 'Running' }) });
    expect(decision(g, 'watch')).toEqual({ operation: 'delete', reason: 'deleted', attempt: 1 });
  });

  it('builds the documented event: cluster, identity, provisioner, operation, spec; within the size limit', () => {
    const g = group({ generation: 2, observedGeneration: 1 });
    const change = decide(g, 'watch', cluster)!;
    expect(change).toEqual({
      version: 1,
      cluster: { name: 'prod-1', defaults: { clusterName: 'prod-1', subnets: ['subnet-aaa'] } },
      group: { namespace: 'team-a', name: 'hello-world', uid: g.metadata.uid, generation: 2, resourceVersion: '4242' },
      provisioner: 'eks-cf',
      operation: 'apply',
      reason: 'updated',
      attempt: 1,
      spec: g.spec,
    });
    const full = { ...change, sentAt: new Date().toISOString() };
    expect(isInstanceGroupChange(full)).toBe(true);
    const entry = toPutEventsEntry(full, 'bus');
    expect(entry).toMatchObject({ Source: EVENT_SOURCE, DetailType: DETAIL_TYPE, EventBusName: 'bus' });
  });

  it('execution keys identify (uid, generation, operation, attempt)', () => {
    const a = decide(group({ generation: 2 }), 'watch', cluster)!;
    expect(executionKey(a)).toBe(`${a.group.uid}/2/apply/1`);
    expect(executionKey({ ...a, attempt: 2 })).not.toBe(executionKey(a));
  });
});

describe('decide: the upgrade lock', () => {
  const held = (annotations: Record<string, string>) => {
    const g = group({ observedGeneration: 1, last: last({ generation: 1, result: 'Succeeded' } as Partial<Last>) });
    g.metadata = { ...g.metadata, annotations } as typeof g.metadata;
    g.status = { ...g.status, conditions: [{ type: 'Degraded', status: 'True', reason: 'UpgradeHeld', message: 'upgrade held' }] } as typeof g.status;
    return g;
  };

  test('HeldThenUnlocked: a held group is forwarded again, as a new attempt, once the annotation is removed', () => {
    expect(decide(held({}), 'watch', cluster)).toMatchObject({ operation: 'apply', attempt: 2 });
    expect(decide(held({ 'instancemgr.keikoproj.io/upgrade-locked': 'false' }), 'watch', cluster)).toMatchObject({ attempt: 2 });
  });

  test('StillLocked: nothing is forwarded while the annotation says true', () => {
    expect(decide(held({ 'instancemgr.keikoproj.io/upgrade-locked': 'true' }), 'watch', cluster)).toBeUndefined();
  });
});
