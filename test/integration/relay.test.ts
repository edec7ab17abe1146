// The in-cluster relay on the real test bed: kube-apiserver + etcd, moto as EventBridge. The bus is observed
// through a rule whose target is an SQS queue; a fake workflow answers each event with status writes, as the
// real callback does. Every relay here runs as the `relay` identity under the RBAC in infra/k8s/relay/.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { InstanceGroupChange } from '../../core/events/index.js';
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { httpStatusOf, InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { KubeRest } from '../../core/kube/rest.js';
import { createLogger } from '../../core/log/index.js';
import { executionName, FINALIZER } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { buildRelay } from '../../in-cluster-relay/build.js';
import { relayConfig, type RelayConfig } from '../../in-cluster-relay/config.js';
import { watchClient } from '../../in-cluster-relay/kube.js';
import { createRelayMetrics } from '../../in-cluster-relay/metrics.js';
import { startRelay, type Relay } from '../../in-cluster-relay/relay.js';
import { apiserverControl, type ApiserverControl } from '../support/relay/apiserver.js';
import { observeBus, type BusObserver, type ObservedEvent } from '../support/relay/bus-observer.js';
import { fakeWorkflow, type FakeWorkflow, type Outcome } from '../support/relay/fake-workflow.js';
import { relayProcessEnv } from '../support/relay/env.js';
import { startTcpProxy } from '../support/relay/tcp-proxy.js';
import { Informer } from '../../in-cluster-relay/informer.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../support/fixtures.js';

const REGION = 'us-west-2';
const BUS = 'instance-manager';
const CLUSTER = 'testbed-cluster';
const RESYNC_MS = 2000;
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const GROUPS = '/apis/instancemgr.keikoproj.io/v1alpha1';
const TEST_TIMEOUT = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Retries a test-side API call across an apiserver restart (dead keep-alive sockets, connection refused). */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= 20 || httpStatusOf(error) !== undefined) throw error;
      await sleep(100);
    }
  }
}

const summary = (e: ObservedEvent | InstanceGroupChange) => {
  const d = 'detail' in e ? e.detail : e;
  return `${d.group.name} g${d.group.generation} ${d.operation} a${d.attempt} ${d.reason}`;
};
const key = (d: InstanceGroupChange) => `${d.group.uid}/${d.group.generation}/${d.operation}/${d.attempt}`;

describe('in-cluster relay: InstanceGroup changes to EventBridge', () => {
  let bed: TestBed;
  let admin: KubeRest;
  let adminGroups: InstanceGroupApi;
  let bus: BusObserver;
  let workflow: FakeWorkflow;
  let apiserver: ApiserverControl;
  const outcomes = new Map<string, (change: InstanceGroupChange) => Outcome>();
  const running = new Set<Relay>();
  const children = new Set<ChildProcess>();
  const sample = loadManifest(REFERENCE_SAMPLES.eksCf);

  const relayConnection = () => connectionFromKubeconfig(bed.kube!.kubeconfigFor('relay'));
  const relayRest = () => new KubeRest(relayConnection());
  const eventsIn = (ns: string) => bus.events.filter((e) => e.detail.group.namespace === ns);

  function testConfig(identity: string, overrides: Partial<RelayConfig> = {}): RelayConfig {
    return relayConfig({
      eventBusName: BUS,
      clusterName: CLUSTER,
      identity,
      region: REGION,
      awsEndpointUrl: bed.moto!.url,
      healthPort: 0,
      defaultSubnets: ['subnet-0default'],
      resyncPeriodMs: RESYNC_MS,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 200,
      publishBackoff: { initialMs: 100, maxMs: 1000 },
      publishGiveUpAfter: 3,
      watchBackoff: { initialMs: 100, maxMs: 1000 },
      watchStaleAfterMs: 20_000,
      shutdownTimeoutMs: 5000,
      ...overrides,
    });
  }

  async function startTestRelay(identity: string, overrides: Partial<RelayConfig> = {}): Promise<Relay> {
    const log = path.join(bed.runDir, `relay-${identity}.log`);
    const logger = createLogger({ component: 'relay', identity }, { level: 'debug', sink: (line) => fs.appendFileSync(log, `${line}\n`) });
    const relay = await startRelay(testConfig(identity, overrides), { connection: relayConnection(), logger });
    running.add(relay);
    return relay;
  }

  async function stopRelay(relay: Relay): Promise<void> {
    await relay.stop();
    running.delete(relay);
  }

  const leader = (relay: Relay) => until(() => relay.isLeader(), 15_000, `${relay.identity} to lead`);

  async function namespace(name: string): Promise<string> {
    await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    return name;
  }

  async function createGroup(ns: string, name: string, extra: Partial<InstanceGroup['metadata']> = {}): Promise<InstanceGroup> {
    const body = clone(sample);
    body.metadata = { ...body.metadata, name, namespace: ns, ...extra } as InstanceGroup['metadata'];
    return retrying(() => admin.request<InstanceGroup>('POST', `${GROUPS}/namespaces/${ns}/instancegroups`, { body }));
  }

  const patchGroup = (ns: string, name: string, body: unknown, subresource = '') =>
    retrying(() =>
      admin.request<InstanceGroup>('PATCH', `${GROUPS}/namespaces/${ns}/instancegroups/${name}${subresource}`, {
        body,
        contentType: 'application/merge-patch+json',
      }),
    );
  const setMaxSize = (ns: string, name: string, maxSize: number) => patchGroup(ns, name, { spec: { 'eks-cf': { maxSize } } });
  const getGroup = (ns: string, name: string) => retrying(() => adminGroups.get({ namespace: ns, name }));
  const deleteGroup = (ns: string, name: string) =>
    retrying(() => admin.request('DELETE', `${GROUPS}/namespaces/${ns}/instancegroups/${name}`));
  const readyAt = async (ns: string, name: string, generation: number) => {
    const g = await getGroup(ns, name);
    return g?.status?.observedGeneration === generation && g.status.lastExecution?.result === 'Succeeded';
  };

  async function apply(file: string): Promise<void> {
    const plural: Record<string, string> = {
      Namespace: 'namespaces',
      ServiceAccount: 'serviceaccounts',
      ClusterRole: 'clusterroles',
      ClusterRoleBinding: 'clusterrolebindings',
      Role: 'roles',
      RoleBinding: 'rolebindings',
      Deployment: 'deployments',
      CustomResourceDefinition: 'customresourcedefinitions',
    };
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const obj = doc.toJSON() as { apiVersion: string; kind: string; metadata: { namespace?: string } };
      if (!obj) continue;
      const prefix = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
      const ns = obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : '';
      // Strict: an unknown or misspelt field in a shipped manifest fails the test.
      await admin.request('POST', `${prefix}${ns}/${plural[obj.kind]}`, { body: obj, query: { fieldValidation: 'Strict' } });
    }
  }

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    bed = await startTestBed();
    admin = new KubeRest(connectionFromKubeconfig(bed.kube!.kubeconfigPath));
    adminGroups = new InstanceGroupApi(admin);
    apiserver = apiserverControl(bed);
    await apply(path.join(REPO, 'infra/k8s/crd.yaml'));
    await until(async () => (await admin.get<{ items: unknown[] }>(`${GROUPS}/instancegroups`)).items.length === 0, 20_000, 'the CRD');
    bus = await observeBus({ endpoint: bed.moto!.url, region: REGION, busName: BUS });
    workflow = fakeWorkflow(bus, adminGroups, (change) => outcomes.get(change.group.namespace)?.(change) ?? 'succeed');
  }, TEST_TIMEOUT);

  afterEach(async () => {
    await Promise.all([...running].map((r) => r.stop()));
    running.clear();
    for (const child of children) child.kill('SIGKILL');
    children.clear();
  }, TEST_TIMEOUT);

  afterAll(async () => {
    workflow?.stop();
    await bus?.stop();
    await apiserver?.dispose();
    await bed?.stop();
  }, TEST_TIMEOUT);

  it('ships RBAC that lets the relay identity do its job and nothing more', async () => {
    const relay = relayRest();
    // Before the manifests, the identity can do nothing: so whatever works later is the shipped RBAC.
    await expect(relay.get(`${GROUPS}/instancegroups`)).rejects.toMatchObject({ code: 403 });
    for (const file of ['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml', 'deployment.yaml']) {
      await apply(path.join(REPO, 'infra/k8s/relay', file));
    }
    await until(async () => !!(await relay.get(`${GROUPS}/instancegroups`)), 10_000, 'RBAC to apply');
    const ns = await namespace('relay-rbac');
    await createGroup(ns, 'g');
    const item = `${GROUPS}/namespaces/${ns}/instancegroups/g`;
    await expect(relay.request('DELETE', item)).rejects.toMatchObject({ code: 403 });
    await expect(
      relay.request('PATCH', `${item}/status`, { body: { status: { currentMin: 9 } }, contentType: 'application/merge-patch+json' }),
    ).rejects.toMatchObject({ code: 403 });
    await expect(relay.request('PUT', item, { body: await getGroup(ns, 'g') })).rejects.toMatchObject({ code: 403 });
    await expect(relay.get(`/api/v1/namespaces/${ns}/secrets`)).rejects.toMatchObject({ code: 403 });
    await expect(relay.get('/apis/coordination.k8s.io/v1/namespaces/instance-manager/leases/someone-elses')).rejects.toMatchObject({ code: 403 });
  }, TEST_TIMEOUT);

  it('create, update and delete each produce exactly the expected event; status-only updates produce none', async () => {
    const ns = await namespace('relay-crud');
    // All namespaces (the default), and a second group that carries someone else's finalizer.
    const relay = await startTestRelay('crud');
    await leader(relay);

    const created = await createGroup(ns, 'web');
    await createGroup(ns, 'shared', { finalizers: ['example.com/keep-me'] });
    await bus.waitFor(() => eventsIn(ns).length >= 2, 10_000, 'two apply events');
    await until(() => readyAt(ns, 'web', 1), 10_000, 'web ready');
    const web = (await getGroup(ns, 'web'))!;
    expect(web.metadata.finalizers).toEqual([FINALIZER]);
    expect((await getGroup(ns, 'shared'))!.metadata.finalizers).toEqual(['example.com/keep-me', FINALIZER]);

    // The event: documented source and detail-type; detail with cluster, identity, provisioner, operation, spec.
    const first = eventsIn(ns).find((e) => e.detail.group.name === 'web')!;
    expect(first.source).toBe('instancemgr.keikoproj.io');
    expect(first['detail-type']).toBe('InstanceGroup Change');
    expect(first.detail).toMatchObject({
      version: 1,
      cluster: { name: CLUSTER, defaults: { clusterName: CLUSTER, subnets: ['subnet-0default'] } },
      group: { namespace: ns, name: 'web', uid: created.metadata.uid, generation: 1 },
      provisioner: 'eks-cf',
      operation: 'apply',
      reason: 'created',
      attempt: 1,
      spec: created.spec,
    });
    expect(Number(first.detail.group.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
    expect(Date.parse(first.detail.sentAt)).toBeGreaterThan(Date.now() - 60_000);

    // Status-only and metadata-only writes: nothing (over more than two resync periods).
    const before = eventsIn(ns).length;
    await patchGroup(ns, 'web', { status: { currentMin: 2, currentMax: 7 } }, '/status');
    await patchGroup(ns, 'web', { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } } });
    await sleep(RESYNC_MS * 2 + 500);
    expect(eventsIn(ns).length).toBe(before);

    await setMaxSize(ns, 'web', 5);
    await bus.waitFor(() => eventsIn(ns).some((e) => e.detail.group.generation === 2), 10_000, 'the update event');
    await until(() => readyAt(ns, 'web', 2), 10_000, 'web ready at generation 2');

    await deleteGroup(ns, 'web');
    await bus.waitFor(() => eventsIn(ns).some((e) => e.detail.operation === 'delete'), 10_000, 'the delete event');
    await until(async () => !(await getGroup(ns, 'web')), 10_000, 'web to be gone once the workflow removed the finalizer');
    await sleep(RESYNC_MS * 2 + 500);

    expect(eventsIn(ns).filter((e) => e.detail.group.name === 'web').map(summary)).toEqual([
      'web g1 apply a1 created',
      'web g2 apply a1 updated',
      'web g3 delete a1 deleted',
    ]);
    expect(eventsIn(ns).filter((e) => e.detail.group.name === 'shared').map(summary)).toEqual(['shared g1 apply a1 created']);
    // Watching all namespaces: the group left in relay-rbac by the first test was forwarded too.
    expect(eventsIn('relay-rbac').map(summary)).toEqual(['g g1 apply a1 created']);
    expect(workflow.errors).toEqual([]);
  }, TEST_TIMEOUT);

  it('resync re-sends groups that never reported and retryable failures (attempt + 1), never terminal failures', async () => {
    const ns = await namespace('relay-resync');
    outcomes.set(ns, (c) => {
      if (c.group.name === 'silent') return 'ignore';
      if (c.group.name === 'broken') return 'fail-terminal';
      if (c.group.name === 'flaky') return c.attempt === 1 ? 'fail-retryable' : 'succeed';
      return 'succeed';
    });
    const relay = await startTestRelay('resync', { namespaces: [ns] });
    await leader(relay);
    for (const name of ['silent', 'flaky', 'broken']) await createGroup(ns, name);

    await bus.waitFor(() => eventsIn(ns).filter((e) => e.detail.group.name === 'flaky').length >= 2, 15_000, 'the flaky re-send');
    await until(() => readyAt(ns, 'flaky', 1), 10_000, 'flaky ready after attempt 2');
    await bus.waitFor(() => eventsIn(ns).filter((e) => e.detail.group.name === 'silent').length >= 2, 15_000, 'silent re-sent');
    await sleep(RESYNC_MS * 2 + 500);

    const of = (name: string) => eventsIn(ns).filter((e) => e.detail.group.name === name);
    expect(of('flaky').map(summary)).toEqual(['flaky g1 apply a1 created', 'flaky g1 apply a2 resync']);
    expect(of('broken').map(summary)).toEqual(['broken g1 apply a1 created']);
    expect((await getGroup(ns, 'broken'))!.status?.lastExecution).toMatchObject({ result: 'Failed', retryable: false });
    // Never reported: re-sent, always as the same execution, so downstream it is one execution.
    expect(new Set(of('silent').map((e) => key(e.detail))).size).toBe(1);
    expect(of('silent')[0]!.detail.reason).toBe('created');
    expect(of('silent').slice(1).every((e) => e.detail.reason === 'resync')).toBe(true);
  }, TEST_TIMEOUT);

  it('at start-up, groups already in sync produce zero events', async () => {
    const ns = await namespace('relay-startup');
    const first = await startTestRelay('startup-1', { namespaces: [ns] });
    await leader(first);
    for (let i = 0; i < 5; i++) await createGroup(ns, `g${i}`);
    for (let i = 0; i < 5; i++) await until(() => readyAt(ns, `g${i}`, 1), 10_000, `g${i} ready`);
    await stopRelay(first);
    const before = eventsIn(ns).length;
    expect(before).toBe(5);

    const second = await startTestRelay('startup-2', { namespaces: [ns] });
    await leader(second);
    await until(() => second.metrics.resyncs.get({ result: 'ok' }) >= 2, 10_000, 'the start-up pass and one resync');
    await sleep(500);
    expect(eventsIn(ns).length).toBe(before);
    expect(second.metrics.published.total()).toBe(0);
    expect(second.metrics.changes.total()).toBe(0);
  }, TEST_TIMEOUT);

  it('with two relays only one forwards; the standby takes over when the leader stops', async () => {
    const ns = await namespace('relay-ha');
    const a = await startTestRelay('ha-a', { namespaces: [ns] });
    const b = await startTestRelay('ha-b', { namespaces: [ns] });
    await until(() => a.isLeader() || b.isLeader(), 10_000, 'a leader');
    await sleep(1000);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [lead, standby] = a.isLeader() ? [a, b] : [b, a];
    await until(() => standby.isSynced(), 10_000, 'the standby to watch');

    for (let i = 0; i < 3; i++) await createGroup(ns, `one-${i}`);
    await bus.waitFor(() => eventsIn(ns).length >= 3, 10_000, 'three events');
    await sleep(RESYNC_MS * 2 + 500);
    expect(eventsIn(ns).map(summary).sort()).toEqual(['one-0 g1 apply a1 created', 'one-1 g1 apply a1 created', 'one-2 g1 apply a1 created']);
    expect(lead.metrics.published.total()).toBe(3);
    expect(standby.metrics.published.total()).toBe(0);
    expect(standby.metrics.finalizers.total()).toBe(0);

    // Both are healthy and ready; /metrics says who leads.
    for (const r of [lead, standby]) {
      expect((await fetch(`http://127.0.0.1:${r.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${r.port}/readyz`)).status).toBe(200);
    }
    expect(await (await fetch(`http://127.0.0.1:${lead.port}/metrics`)).text()).toMatch(/^relay_leader 1$/m);
    expect(await (await fetch(`http://127.0.0.1:${standby.port}/metrics`)).text()).toMatch(/^relay_leader 0$/m);

    const t0 = Date.now();
    await stopRelay(lead);
    await until(() => standby.isLeader(), 5_000, 'the standby to take over');
    const takeoverMs = Date.now() - t0;
    expect(takeoverMs).toBeLessThan(2_000); // released on shutdown: no wait for expiry
    await createGroup(ns, 'two');
    await bus.waitFor(() => eventsIn(ns).some((e) => e.detail.group.name === 'two'), 10_000, 'the event from the new leader');
    expect(standby.metrics.published.total()).toBe(1);
  }, TEST_TIMEOUT);

  it('with EventBridge unreachable for a while, every event is delivered after recovery', async () => {
    const ns = await namespace('relay-outage');
    const proxy = await startTcpProxy(bed.moto!.url);
    const relay = await startTestRelay('outage', { namespaces: [ns], awsEndpointUrl: proxy.url });
    await leader(relay);
    await createGroup(ns, 'early');
    await bus.waitFor(() => eventsIn(ns).length === 1, 10_000, 'the first event through the proxy');
    await until(() => readyAt(ns, 'early', 1), 10_000, 'early ready');

    await proxy.close();
    const names = Array.from({ length: 12 }, (_, i) => `late-${i}`);
    await Promise.all(names.map((n) => createGroup(ns, n)));
    await setMaxSize(ns, 'early', 4);
    await until(() => relay.metrics.undeliverable.total() >= 13, 15_000, 'every send to have failed three times');
    await until(() => relay.metrics.resyncs.get({ result: 'ok' }) >= 2, 10_000, 'a resync during the outage');
    expect(eventsIn(ns)).toHaveLength(1);
    expect(relay.metrics.putEventsCalls.get({ result: 'error' })).toBeGreaterThan(0);
    expect(relay.metrics.pending.get()).toBe(13);

    await proxy.open();
    await bus.waitFor(() => eventsIn(ns).length >= 14, 15_000, 'every event after recovery');
    for (const n of names) await until(() => readyAt(ns, n, 1), 10_000, `${n} ready`);
    await sleep(RESYNC_MS * 2 + 500);
    const got = eventsIn(ns).map(summary).sort();
    expect(got).toEqual(['early g1 apply a1 created', 'early g2 apply a1 updated', ...names.map((n) => `${n} g1 apply a1 created`)].sort());
    expect(relay.metrics.pending.get()).toBe(0);
    await proxy.close();
  }, TEST_TIMEOUT);

  it('the watch resumes after an API server restart and after an expired resourceVersion', async () => {
    const ns = await namespace('relay-restart');
    const relay = await startTestRelay('restart', { namespaces: [ns] });
    await leader(relay);
    await createGroup(ns, 'before');
    await bus.waitFor(() => eventsIn(ns).length === 1, 10_000, 'the first event');
    await until(() => readyAt(ns, 'before', 1), 10_000, 'ready');

    await apiserver.restart(1000);
    expect(relay.metrics.watchRestarts.total() + relay.metrics.watchRelists.total()).toBeGreaterThan(0);
    await setMaxSize(ns, 'before', 6);
    await createGroup(ns, 'after');
    await bus.waitFor(() => eventsIn(ns).length >= 3, 20_000, 'events after the restart');
    await until(async () => (await readyAt(ns, 'after', 1)) && (await readyAt(ns, 'before', 2)), 10_000, 'ready after the restart');
    await sleep(RESYNC_MS + 500);
    expect(eventsIn(ns).map(summary).sort()).toEqual(['after g1 apply a1 created', 'before g1 apply a1 created', 'before g2 apply a1 updated']);
    expect(relay.liveness().ok).toBe(true);

    // Expired resourceVersion: a watch resumed from a version the server no longer has relists and goes on.
    const seen: string[] = [];
    const watchMetrics = createRelayMetrics();
    const watching = watchClient(relayConnection());
    const watcher = new Informer({
      rest: relayRest(),
      watch: watching,
      namespace: ns,
      resourceVersion: '1',
      onEvent: (type, group) => seen.push(`${type} ${group.metadata.name} g${group.metadata.generation}`),
      logger: createLogger({}, { sink: () => {} }),
      metrics: watchMetrics,
      backoff: { initialMs: 100, maxMs: 1000 },
      timeoutSeconds: 60,
      idleTimeoutMs: 10_000,
    });
    watcher.start();
    try {
      await until(() => seen.filter((s) => s.startsWith('LISTED')).length === 2, 10_000, 'the relist');
      expect(watchMetrics.watchRelists.total()).toBe(1);
      await setMaxSize(ns, 'after', 8);
      await until(() => seen.includes('MODIFIED after g2'), 10_000, 'the watch to continue after the relist');
    } finally {
      await watcher.stop();
      await watching.close();
    }
  }, TEST_TIMEOUT);

  it('liveness fails while the watch shows no sign of life, and recovers with it', async () => {
    const ns = await namespace('relay-liveness');
    // The relay reaches the API server through a proxy the test can cut.
    const proxy = await startTcpProxy(bed.kube!.url.replace('https:', 'http:'));
    const connection = { ...relayConnection(), server: `https://127.0.0.1:${proxy.port}` };
    const logger = createLogger({}, { sink: (line) => fs.appendFileSync(path.join(bed.runDir, 'relay-liveness.log'), `${line}\n`) });
    const relay = await startRelay(testConfig('liveness', { namespaces: [ns], watchStaleAfterMs: 3000 }), { connection, logger });
    running.add(relay);
    await leader(relay);
    const probe = async () => (await fetch(`http://127.0.0.1:${relay.port}/healthz`)).status;
    await sleep(4000); // quiet, but the watch reconnects (and would get bookmarks): still live
    expect(await probe()).toBe(200);

    await proxy.close();
    await until(async () => (await probe()) === 503, 10_000, 'liveness to fail');
    expect(await (await fetch(`http://127.0.0.1:${relay.port}/healthz`)).text()).toMatch(/no watch event, bookmark or connect for \d+s/);
    await proxy.open();
    await until(async () => (await probe()) === 200, 10_000, 'liveness to recover');
    await leader(relay);
    await createGroup(ns, 'alive');
    await bus.waitFor(() => eventsIn(ns).length === 1, 10_000, 'an event after recovery');
    await proxy.close();
  }, TEST_TIMEOUT);

  it('a relay killed mid-stream and restarted loses nothing, and its duplicates are harmless', async () => {
    const ns = await namespace('relay-kill');
    const bundle = await buildRelay(path.join(bed.runDir, 'relay-bundle', 'relay.mjs'));
    const env = (identity: string) =>
      relayProcessEnv(bed, { bus: BUS, region: REGION, cluster: CLUSTER, identity, namespaces: [ns] }, {
        RESYNC_PERIOD: `${RESYNC_MS}ms`,
        LEASE_DURATION: '3s',
        LEASE_RENEW_DEADLINE: '2s',
        LEASE_RETRY_PERIOD: '200ms',
        PUBLISH_BACKOFF_INITIAL: '100ms',
        PUBLISH_BACKOFF_MAX: '1s',
        SHUTDOWN_TIMEOUT: '5s',
        WORKERS: '1',
        LOG_LEVEL: process.env.RELAY_TEST_LOG_LEVEL ?? 'info',
      });
    const start = (identity: string) => {
      const child = spawn(process.execPath, ['--enable-source-maps', bundle], { env: env(identity), stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      const lines: Record<string, unknown>[] = [];
      const logFile = path.join(bed.runDir, `relay-${identity}.log`);
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        fs.appendFileSync(logFile, chunk);
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
      });
      child.stderr!.on('data', (chunk: Buffer) => fs.appendFileSync(logFile, chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, lines, exited, has: (message: string) => lines.filter((l) => l.message === message) };
    };

    const one = start('relay-kill-1');
    await until(() => one.has('became leader').length > 0, 15_000, 'relay-kill-1 to lead');
    const names = Array.from({ length: 40 }, (_, i) => `g${String(i).padStart(2, '0')}`);
    const creating = Promise.all(names.map((n) => createGroup(ns, n)));
    await until(() => one.has('change forwarded').length > 0, 15_000, 'the first forwarded change');
    one.child.kill('SIGKILL');
    await one.exited;
    await creating;
    const forwardedBeforeKill = one.has('change forwarded').length;
    expect(forwardedBeforeKill).toBeLessThan(names.length); // killed mid-stream

    const two = start('relay-kill-2');
    await bus.waitFor(() => new Set(eventsIn(ns).map((e) => e.detail.group.name)).size === names.length, 30_000, 'an event for every group');
    for (const n of names) await until(() => readyAt(ns, n, 1), 10_000, `${n} ready`);

    // Nothing lost: every group got its apply. Duplicates (if any) are the same execution: same uid,
    // generation, operation and attempt, hence the same deterministic execution name downstream.
    const byUid = new Map<string, InstanceGroupChange[]>();
    for (const e of eventsIn(ns)) byUid.set(e.detail.group.uid, [...(byUid.get(e.detail.group.uid) ?? []), e.detail]);
    expect(byUid.size).toBe(names.length);
    for (const changes of byUid.values()) {
      expect(new Set(changes.map(key)).size).toBe(1);
      expect(new Set(changes.map((c) => executionName({ ...c.group, operation: c.operation, attempt: c.attempt }))).size).toBe(1);
      expect(changes[0]).toMatchObject({ operation: 'apply', attempt: 1 });
    }
    for (const n of names) expect((await getGroup(ns, n))!.metadata.finalizers).toEqual([FINALIZER]);

    // The container's endpoints, then a graceful SIGTERM: exit 0 with the Lease released.
    const port = two.has('relay started')[0]!.port as number;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^relay_leader 1$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    two.child.kill('SIGTERM');
    expect(await two.exited).toBe(0);
    expect(two.has('released the lease')).toHaveLength(1);
  }, TEST_TIMEOUT);

  it('reports configuration errors naming the variable, and exits', async () => {
    const bundle = path.join(bed.runDir, 'relay-bundle', 'relay.mjs');
    if (!fs.existsSync(bundle)) await buildRelay(bundle);
    const child = spawn(process.execPath, [bundle], {
      env: { PATH: process.env.PATH, EVENT_BUS_NAME: BUS, AWS_REGION: REGION, POD_NAME: 'x', RESYNC_PERIOD: 'soon' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(out).toMatch(/CLUSTER_NAME is required/);
    expect(out).toMatch(/RESYNC_PERIOD=\\"soon\\"/);
  }, TEST_TIMEOUT);
});
