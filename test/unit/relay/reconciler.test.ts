// The reconciler on its own: a stubbed InstanceGroup API and publisher, a controllable clock.
import type { InstanceGroupApi } from '../../../core/kube/instancegroups.js';
import { KubeApiError } from '../../../core/kube/rest.js';
import { createLogger } from '../../../core/log/index.js';
import { FINALIZER } from '../../../core/names/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import type { ClusterInfo, PendingChange } from '../../../in-cluster-relay/decide.js';
import { createRelayMetrics } from '../../../in-cluster-relay/metrics.js';
import type { EnqueueResult } from '../../../in-cluster-relay/publisher.js';
import { Reconciler } from '../../../in-cluster-relay/reconciler.js';
import type { WorkItem } from '../../../in-cluster-relay/work-item.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../../support/fixtures.js';

const cluster: ClusterInfo = { name: 'prod-1', defaults: { clusterName: 'prod-1' } };
const sample = loadManifest(REFERENCE_SAMPLES.eksCf);
const RESYNC_MS = 60_000;

function group(finalizers: string[] = [FINALIZER]): InstanceGroup {
  const g = clone(sample);
  g.metadata = { ...g.metadata, namespace: 'team-a', uid: 'uid-1', generation: 1, resourceVersion: '10', finalizers };
  delete g.status;
  return g;
}

function setup(options: { addFinalizer?: (g: InstanceGroup) => Promise<InstanceGroup>; get?: () => Promise<InstanceGroup | undefined> } = {}) {
  let now = 1_000;
  let leading = true;
  const enqueued: PendingChange[] = [];
  const pending = new Set<string>();
  const calls = { addFinalizer: 0, get: 0 };
  const groups = {
    addFinalizer: async (g: InstanceGroup) => {
      calls.addFinalizer++;
      return options.addFinalizer ? options.addFinalizer(g) : { ...g, metadata: { ...g.metadata, finalizers: [FINALIZER] } };
    },
    get: async () => {
      calls.get++;
      return options.get?.();
    },
    recordEvent: async () => {},
  } as unknown as InstanceGroupApi;
  const metrics = createRelayMetrics();
  const reconciler = new Reconciler({
    cluster,
    groups,
    publisher: {
      enqueue: (change: PendingChange): EnqueueResult => {
        enqueued.push(change);
        return 'queued';
      },
      has: (change: PendingChange) => pending.has(`${change.group.uid}/${change.attempt}`),
    },
    isLeading: () => leading,
    resyncPeriodMs: RESYNC_MS,
    logger: createLogger({}, { sink: () => {} }),
    metrics,
    now: () => now,
  });
  const item = (g: InstanceGroup, mode: WorkItem['mode'] = 'watch'): WorkItem => ({ group: g, mode, observedAt: now });
  return {
    reconciler,
    enqueued,
    calls,
    metrics,
    item,
    advance: (ms: number) => (now += ms),
    setLeading: (value: boolean) => (leading = value),
  };
}

describe('reconciler: one pass per object', () => {
  it('hands a new object to the publisher once; a later watch event for the same execution sends nothing', async () => {
    const t = setup();
    await t.reconciler.reconcile('uid-1', t.item(group()));
    expect(t.enqueued.map((c) => `${c.operation} ${c.reason} a${c.attempt}`)).toEqual(['apply created a1']);
    expect(t.metrics.changes.total()).toBe(1);
    await t.reconciler.reconcile('uid-1', t.item(group()));
    expect(t.enqueued).toHaveLength(1);
  });

  it('a resync pass re-sends an execution only once it has had a whole resync period to report', async () => {
    const t = setup();
    await t.reconciler.reconcile('uid-1', t.item(group()));
    await t.reconciler.reconcile('uid-1', t.item(group(), 'resync'));
    expect(t.enqueued).toHaveLength(1);
    t.advance(RESYNC_MS + 1);
    await t.reconciler.reconcile('uid-1', t.item(group(), 'resync'));
    expect(t.enqueued).toHaveLength(2);
  });

  it('forget() (the object was deleted) lets the same execution be handed over again', async () => {
    const t = setup();
    await t.reconciler.reconcile('uid-1', t.item(group()));
    t.reconciler.forget('uid-1');
    await t.reconciler.reconcile('uid-1', t.item(group()));
    expect(t.enqueued).toHaveLength(2);
  });

  it('adds our finalizer before the first apply event', async () => {
    const t = setup();
    await t.reconciler.reconcile('uid-1', t.item(group([])));
    expect(t.calls.addFinalizer).toBe(1);
    expect(t.enqueued).toHaveLength(1);
    expect(t.metrics.finalizers.total()).toBe(1);
  });

  it('on a finalizer conflict, re-reads the object and goes on when the finalizer is already there', async () => {
    const t = setup({
      addFinalizer: async () => {
        throw new KubeApiError(409, 'Conflict', 'the object has been modified');
      },
      get: async () => group([FINALIZER]),
    });
    await t.reconciler.reconcile('uid-1', t.item(group([])));
    expect(t.calls).toEqual({ addFinalizer: 1, get: 1 });
    expect(t.enqueued).toHaveLength(1);
  });

  it('a gone object (404 on the finalizer patch) is moot: nothing is sent', async () => {
    const t = setup({
      addFinalizer: async () => {
        throw new KubeApiError(404, 'NotFound', 'not found');
      },
    });
    await t.reconciler.reconcile('uid-1', t.item(group([])));
    expect(t.enqueued).toHaveLength(0);
  });

  it('does nothing while not leading', async () => {
    const t = setup();
    t.setLeading(false);
    await t.reconciler.reconcile('uid-1', t.item(group([])));
    expect(t.calls.addFinalizer).toBe(0);
    expect(t.enqueued).toHaveLength(0);
  });
});
