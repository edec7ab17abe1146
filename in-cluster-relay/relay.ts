// Over 350 lines: the wiring of watch, queue, leadership, retries and probes; issue 16 splits it into informer,
// queue and reconciler pieces.
// The relay, wired (module map in README.md): watches feed a keyed work queue; while this replica leads, each object that needs work gets
// our finalizer and its change is handed to the publisher. A resync pass runs on taking the lead and then
// periodically. startRelay() is what main.ts and the local control plane (in-process) call.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '../core/aws/config.js';
import type { KubeConnection } from '../core/kube/connection.js';
import { httpStatusOf, InstanceGroupApi } from '../core/kube/instancegroups.js';
import { createLogger, groupContext, type Logger } from '../core/log/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { RelayConfig } from './config.js';
import { decide, decision, executionKey, hasFinalizer, type ClusterInfo, type DecideMode, type PendingChange } from './decide.js';
import { relayConnection, restClient, watchConfig } from './kube.js';
import { Heartbeat } from './heartbeat.js';
import { LeaderElector } from './lease.js';
import { createRelayMetrics, type RelayMetrics } from './metrics.js';
import { Publisher, type Delivered, type PutEventsFn } from './publish.js';
import { KeyedQueue } from './queue.js';
import { startHealthServer, type HealthServer, type Probe } from './server.js';
import { GroupWatcher, listInstanceGroups } from './watch.js';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../core/status/retry.js';

export interface RelayDeps {
  /** The API server and credentials; defaults to config.kubeconfig, else KUBECONFIG, else the pod's service account. */
  connection?: KubeConnection;
  /** Defaults to an EventBridge client for config.region (and config.awsEndpointUrl). */
  putEvents?: PutEventsFn;
  logger?: Logger;
  /** Called for every event EventBridge acknowledged (benchmarks, tests). */
  onForwarded?: (delivery: Delivered) => void;
}

export interface Relay {
  /** The health/metrics port actually bound. */
  readonly port: number;
  readonly identity: string;
  readonly metrics: RelayMetrics;
  isLeader(): boolean;
  /** Every watch has completed its first list. */
  isSynced(): boolean;
  /** Runs a resync pass now (if leading). */
  resyncNow(): Promise<void>;
  liveness(): Probe;
  readiness(): Probe;
  /** Graceful: stop watching, deliver what is pending (within shutdownTimeoutMs), release the Lease. */
  stop(): Promise<void>;
}

interface WorkItem {
  group: InstanceGroup;
  mode: DecideMode;
  observedAt: number;
}

const MODE_RANK: Record<DecideMode, number> = { watch: 0, initial: 1, resync: 2 };

/** Whether a is at least as new as b: generation first, then resourceVersion when both are numbers (as etcd's are). */
function atLeastAsNew(a: InstanceGroup, b: InstanceGroup): boolean {
  if (a.metadata.generation !== b.metadata.generation) return a.metadata.generation > b.metadata.generation;
  const ra = Number(a.metadata.resourceVersion);
  const rb = Number(b.metadata.resourceVersion);
  return Number.isFinite(ra) && Number.isFinite(rb) ? ra >= rb : true;
}

function mergeItems(queued: WorkItem, incoming: WorkItem): WorkItem {
  // Keep the newest object (watch events arrive in order; a resync list may be older than a queued event),
  // the strongest reason to look, and the earliest observation (for the latency metric).
  const group = atLeastAsNew(incoming.group, queued.group) ? incoming.group : queued.group;
  const mode = MODE_RANK[incoming.mode] > MODE_RANK[queued.mode] ? incoming.mode : queued.mode;
  return { group, mode, observedAt: Math.min(queued.observedAt, incoming.observedAt) };
}

export function eventBridgePutEvents(config: RelayConfig): { putEvents: PutEventsFn; close(): void } {
  const client = new EventBridgeClient({
    ...awsClientConfig({ region: config.region, maxAttempts: 3 }),
    // Our own queue retries with backoff; the SDK only smooths over single blips.
    retryMode: 'standard',
    ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  return { putEvents: (entries) => client.send(new PutEventsCommand({ Entries: entries })), close: () => client.destroy() };
}

export async function startRelay(config: RelayConfig, deps: RelayDeps = {}): Promise<Relay> {
  const logger = deps.logger ?? createLogger({ component: 'relay', identity: config.identity });
  const metrics = createRelayMetrics();
  const connection = deps.connection ?? relayConnection(config.kubeconfig);
  const rest = restClient(connection);
  const groups = new InstanceGroupApi(rest);
  const watching = watchConfig(connection);
  const cluster: ClusterInfo = {
    name: config.clusterName,
    region: config.clusterRegion,
    ...(config.clusterAccountId ? { accountId: config.clusterAccountId } : {}),
    defaults: { clusterName: config.clusterName, ...(config.defaultSubnets.length ? { subnets: config.defaultSubnets } : {}) },
  };

  let leading = false;
  let stopping = false;
  /** Per uid: the execution last handed to the publisher, and when. Avoids needless duplicates. */
  const handed = new Map<string, { key: string; at: number }>();
  const oversizeWarned = new Set<string>();
  const retries = new Map<string, number>();
  /** Per failed execution (its key): when this replica first saw the failure; the next attempt waits a growing delay. */
  const failureSeen = new Map<string, number>();

  /** Whether the next attempt after a failure must wait longer (the backoff grows with each attempt). */
  function retryNotYetDue(change: PendingChange): boolean {
    if (change.reason !== 'resync' || change.attempt <= 1) return false;
    const failed = executionKey({ ...change, attempt: change.attempt - 1 });
    const now = performance.now();
    const seen = failureSeen.get(failed) ?? now;
    failureSeen.set(failed, seen);
    if (now - seen < retryDelayMs(change.attempt - 1, config.resyncPeriodMs, MAX_RETRY_DELAY_MS)) return true;
    failureSeen.delete(failed);
    return false;
  }

  const eventBridge = deps.putEvents ? undefined : eventBridgePutEvents(config);
  const publisher = new Publisher({
    putEvents: deps.putEvents ?? eventBridge!.putEvents,
    eventBusName: config.eventBusName,
    backoff: config.publishBackoff,
    giveUpAfter: config.publishGiveUpAfter,
    logger,
    metrics,
    onDelivered: (delivery) => {
      // "Recently sent" counts from delivery, so a long outage does not make the first resync after it re-send.
      const h = handed.get(delivery.change.group.uid);
      if (h?.key === executionKey(delivery.change)) h.at = performance.now();
      deps.onForwarded?.(delivery);
    },
    onOversize: (change, bytes) => {
      const key = executionKey(change);
      if (oversizeWarned.has(key)) return;
      oversizeWarned.add(key);
      const ref = { metadata: { ...change.group } } as unknown as InstanceGroup;
      groups
        .recordEvent(ref, 'Warning', 'EventTooLarge', `The change is ${bytes} bytes; EventBridge accepts at most 256 KiB per event. Make the spec smaller.`)
        .catch((error: unknown) => logger.warn('could not record an Event', { ...groupContext(change.group), error }));
    },
  });

  const heartbeat = new Heartbeat({
    periodMs: config.heartbeatPeriodMs,
    clusterName: config.clusterName,
    identity: config.identity,
    eventBusName: config.eventBusName,
    putEvents: deps.putEvents ?? eventBridge!.putEvents,
    logger,
    metrics,
  });

  /** Adds our finalizer (JSON patch with a test op); returns the updated object, or undefined when moot. */
  async function ensureFinalizer(group: InstanceGroup): Promise<InstanceGroup | undefined> {
    let current = group;
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const updated = await groups.addFinalizer(current);
        metrics.finalizers.inc({ result: 'added' });
        logger.debug('finalizer added', groupContext(current.metadata));
        return updated;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 404) return undefined;
        if (status !== 409 && status !== 422) {
          metrics.finalizers.inc({ result: 'error' });
          throw error;
        }
        metrics.finalizers.inc({ result: 'conflict' });
        // The object (or its finalizer list) changed meanwhile: look again.
        const fresh = await groups.get(current.metadata);
        if (!fresh || fresh.metadata.uid !== group.metadata.uid) return undefined;
        // A deleting object cannot take new finalizers; without ours there is nothing of ours to delete.
        if (fresh.metadata.deletionTimestamp || hasFinalizer(fresh)) return fresh;
        current = fresh;
      }
    }
    throw new Error('the finalizer list kept changing; will retry');
  }

  async function handle(uid: string, item: WorkItem): Promise<void> {
    if (!leading) return;
    let group = item.group;
    let change: PendingChange | undefined = decide(group, item.mode, cluster);
    if (!change) return;
    if (alreadyHandled(change, item.mode)) return;
    if (retryNotYetDue(change)) return;
    if (change.operation === 'apply' && !hasFinalizer(group)) {
      const updated = await ensureFinalizer(group);
      if (!updated || !leading) return;
      group = updated;
      change = decide(group, item.mode, cluster);
      if (!change || alreadyHandled(change, item.mode)) return;
      if (change.operation === 'apply' && !hasFinalizer(group)) return;
    }
    const result = publisher.enqueue(change, item.observedAt);
    retries.delete(uid);
    if (result === 'queued') {
      metrics.changes.inc({ operation: change.operation, reason: change.reason });
      logger.debug('change queued', { ...groupContext(change.group), operation: change.operation, attempt: change.attempt, mode: item.mode });
    }
    if (result !== 'stale') handed.set(uid, { key: executionKey(change), at: performance.now() });
  }

  function alreadyHandled(change: PendingChange, mode: DecideMode): boolean {
    if (publisher.has(change)) return true;
    const previous = handed.get(change.group.uid);
    if (previous?.key !== executionKey(change)) return false;
    // Watch events never re-send an execution already handed over; passes re-send it once it has had a whole
    // resync period to report.
    return mode === 'watch' || performance.now() - previous.at < config.resyncPeriodMs;
  }

  const queue = new KeyedQueue<WorkItem>(handle, config.workers, mergeItems, (uid, item, error) => {
    const failures = (retries.get(uid) ?? 0) + 1;
    retries.set(uid, failures);
    const delay = Math.min(config.watchBackoff.maxMs, config.watchBackoff.initialMs * 2 ** Math.min(failures - 1, 20));
    logger.warn('could not process an InstanceGroup; retrying', { uid, retryInMs: delay, error });
    const timer = setTimeout(() => {
      if (leading && !stopping) queue.add(uid, item);
    }, delay);
    timer.unref();
  });
  const offer = (group: InstanceGroup, mode: DecideMode, observedAt: number) => {
    if (!leading || stopping) return;
    // Cheap pre-check: most objects need nothing, so they never enter the queue.
    if (!decision(group, mode)) return;
    queue.add(group.metadata.uid, { group, mode, observedAt });
  };

  const watchers = (config.namespaces.length ? config.namespaces : [undefined]).map(
    (namespace) =>
      new GroupWatcher({
        rest,
        watchConfig: watching.config,
        namespace,
        logger,
        metrics,
        backoff: config.watchBackoff,
        timeoutSeconds: config.watchTimeoutSeconds,
        idleTimeoutMs: Math.max(1000, Math.round(config.watchStaleAfterMs / 2)),
        pageSize: config.listPageSize,
        onListed: () => {
          if (!firstListIsInitialPass || !watchers.every((w) => w.synced)) return;
          firstListIsInitialPass = false;
          metrics.resyncs.inc({ result: 'ok' });
          logger.debug('resync pass done', { mode: 'initial', via: 'first list', pending: publisher.size });
        },
        onEvent: (type, group, observedAt) => {
          try {
            if (type === 'DELETED') {
              for (const key of failureSeen.keys()) if (key.startsWith(`${group.metadata.uid}/`)) failureSeen.delete(key);
              handed.delete(group.metadata.uid);
              retries.delete(group.metadata.uid);
              return;
            }
            offer(group, type === 'LISTED' && firstListIsInitialPass ? 'initial' : 'watch', observedAt);
          } catch (error) {
            logger.error('could not handle a watch event', { ...groupContext(group.metadata ?? {}), error });
          }
        },
      }),
  );

  /**
   * A replica that leads before its watches have listed anything uses their first list as its first pass, instead
   * of listing every group twice at start-up (with 10,000 groups, that second list is most of the memory peak).
   */
  let firstListIsInitialPass = false;
  let resyncRunning: Promise<void> | undefined;
  async function resync(mode: 'initial' | 'resync'): Promise<void> {
    if (!leading || stopping) return;
    if (resyncRunning) return resyncRunning;
    resyncRunning = (async () => {
      try {
        const seen = new Set<string>();
        for (const namespace of config.namespaces.length ? config.namespaces : [undefined]) {
          await listInstanceGroups(rest, namespace, config.listPageSize, (items) => {
            const observedAt = performance.now();
            for (const group of items) {
              seen.add(group.metadata.uid);
              offer(group, mode, observedAt);
            }
          });
        }
        for (const uid of handed.keys()) if (!seen.has(uid)) handed.delete(uid);
        publisher.retryNow();
        metrics.resyncs.inc({ result: 'ok' });
        logger.debug('resync pass done', { mode, groups: seen.size, pending: publisher.size });
      } catch (error) {
        metrics.resyncs.inc({ result: 'error' });
        logger.warn('resync pass failed; trying again', { mode, error });
        if (mode === 'initial') initialRetry = setTimeout(() => void resync('initial'), config.watchBackoff.maxMs / 4);
      } finally {
        resyncRunning = undefined;
      }
    })();
    return resyncRunning;
  }
  let initialRetry: NodeJS.Timeout | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  const scheduleResync = () => {
    if (stopping) return;
    resyncTimer = setTimeout(() => {
      void resync('resync').finally(scheduleResync);
    }, config.resyncPeriodMs * (0.9 + 0.2 * Math.random()));
  };

  const elector = new LeaderElector({
    rest,
    name: config.leaseName,
    namespace: config.leaseNamespace,
    identity: config.identity,
    leaseDurationMs: config.leaseDurationMs,
    renewDeadlineMs: config.renewDeadlineMs,
    retryPeriodMs: config.retryPeriodMs,
    logger,
    onStartedLeading: () => {
      leading = true;
      metrics.leader.set(1);
      heartbeat.start();
      if (watchers.every((w) => w.pagesDelivered === 0)) firstListIsInitialPass = true;
      else void resync('initial');
    },
    onStoppedLeading: () => {
      leading = false;
      firstListIsInitialPass = false;
      metrics.leader.set(0);
      heartbeat.stop();
      if (initialRetry) clearTimeout(initialRetry);
      // The next leader's first pass re-derives all of it from the objects.
      queue.clear();
      publisher.clear();
      handed.clear();
      retries.clear();
      failureSeen.clear();
    },
  });

  const liveness = (): Probe => {
    const now = performance.now();
    const stale = watchers.filter((w) => now - w.lastActivity > config.watchStaleAfterMs);
    if (stale.length) {
      const ago = Math.round((now - Math.min(...stale.map((w) => w.lastActivity))) / 1000);
      return { ok: false, detail: `no watch event, bookmark or connect for ${ago}s on ${stale.map((w) => w.path).join(', ')}` };
    }
    return { ok: true, detail: `watching; ${leading ? 'leader' : 'standby'}; ${publisher.size} pending` };
  };
  const readiness = (): Probe => {
    if (stopping) return { ok: false, detail: 'shutting down' };
    const unsynced = watchers.filter((w) => !w.synced);
    if (unsynced.length) return { ok: false, detail: `waiting for the first list of ${unsynced.map((w) => w.path).join(', ')}` };
    return { ok: true, detail: leading ? 'leader' : 'standby' };
  };

  let server: HealthServer | undefined;
  try {
    server = await startHealthServer({ port: config.healthPort, liveness, readiness, metrics: () => metrics.render() });
  } catch (error) {
    throw new Error(`cannot listen on HEALTH_PORT ${config.healthPort}: ${(error as Error).message}`, { cause: error });
  }
  for (const w of watchers) w.start();
  elector.start();
  scheduleResync();
  logger.info('relay started', {
    bus: config.eventBusName,
    cluster: config.clusterName,
    namespaces: config.namespaces.length ? config.namespaces : 'all',
    resyncPeriodMs: config.resyncPeriodMs,
    port: server.port,
  });

  let stopped: Promise<void> | undefined;
  const healthServer = server;
  return {
    port: server.port,
    identity: config.identity,
    metrics,
    isLeader: () => leading,
    isSynced: () => watchers.every((w) => w.synced),
    resyncNow: () => resync('resync'),
    liveness,
    readiness,
    stop: () =>
      (stopped ??= (async () => {
        const deadline = performance.now() + config.shutdownTimeoutMs;
        stopping = true;
        logger.info('stopping', { pending: publisher.size });
        if (resyncTimer) clearTimeout(resyncTimer);
        if (initialRetry) clearTimeout(initialRetry);
        heartbeat.stop();
        await Promise.all(watchers.map((w) => w.stop()));
        // Finish the objects already being handled (finalizer patches), then deliver what is queued.
        const until = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
        await Promise.race([queue.idle(), until((deadline - performance.now()) / 2)]);
        await Promise.race([Promise.all([queue.close(), resyncRunning]), until((deadline - performance.now()) / 2)]);
        const left = leading ? await publisher.drain(Math.max(0, deadline - performance.now())) : publisher.size;
        if (left) logger.warn('stopping with undelivered events; the next leader re-sends them', { pending: left });
        publisher.stop();
        eventBridge?.close();
        await elector.stop({ release: true });
        await healthServer.close();
        await watching.close().catch(() => {});
        rest.close();
        logger.info('stopped');
      })()),
  };
}
