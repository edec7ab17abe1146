// The relay, composed (module map in README.md): informers feed a keyed work queue; while this replica leads, the
// reconciler looks at each queued object, adds our finalizer and hands its change to the publisher. Resync passes
// run on taking the lead and then periodically. startRelay() is what main.ts and the local control plane
// (in-process) call; this file only wires the pieces, and holds the order in which they start and stop.
import type { KubeConnection } from '../core/kube/connection.js';
import { InstanceGroupApi } from '../core/kube/instancegroups.js';
import { createLogger, groupContext, type Logger } from '../core/log/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { RelayConfig } from './config.js';
import { decision, type ClusterInfo, type DecideMode } from './decide.js';
import { eventBridgePutEvents, type PutEventsFn } from './eventbridge.js';
import { Heartbeat } from './heartbeat.js';
import { Informers } from './informer.js';
import { relayConnection, restClient, watchClient } from './kube.js';
import { LeaderElector } from './lease.js';
import { createRelayMetrics, type RelayMetrics } from './metrics.js';
import { liveness, readiness, type ProbeState } from './probes.js';
import { Publisher, type Delivered } from './publisher.js';
import { Reconciler } from './reconciler.js';
import { collectListGarbage } from './heap.js';
import { ResyncPasses } from './resync.js';
import { startHealthServer, type HealthServer, type Probe } from './server.js';
import { NodeWatch } from './node-watch.js';
import { mergeItems, type WorkItem } from './work-item.js';
import { WorkQueue } from './workqueue.js';

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

export function clusterInfo(config: RelayConfig): ClusterInfo {
  return {
    name: config.clusterName,
    region: config.clusterRegion,
    ...(config.clusterAccountId ? { accountId: config.clusterAccountId } : {}),
    defaults: { clusterName: config.clusterName, ...(config.defaultSubnets.length ? { subnets: config.defaultSubnets } : {}) },
  };
}

export async function startRelay(config: RelayConfig, deps: RelayDeps = {}): Promise<Relay> {
  const logger = deps.logger ?? createLogger({ component: 'relay', identity: config.identity });
  const metrics = createRelayMetrics();
  const connection = deps.connection ?? relayConnection(config.kubeconfig);
  const rest = restClient(connection);
  const groups = new InstanceGroupApi(rest);
  const watching = watchClient(connection);
  let leading = false;
  let stopping = false;

  const eventBridge = deps.putEvents ? undefined : eventBridgePutEvents(config);
  const putEvents = deps.putEvents ?? eventBridge!.putEvents;
  const publisher = new Publisher({
    putEvents,
    eventBusName: config.eventBusName,
    backoff: config.publishBackoff,
    giveUpAfter: config.publishGiveUpAfter,
    logger,
    metrics,
    onDelivered: (delivery) => {
      reconciler.delivered(delivery);
      deps.onForwarded?.(delivery);
    },
    onOversize: (change, bytes) => reconciler.oversize(change, bytes),
  });
  const reconciler = new Reconciler({
    cluster: clusterInfo(config),
    groups,
    publisher,
    isLeading: () => leading,
    resyncPeriodMs: config.resyncPeriodMs,
    logger,
    metrics,
  });
  const queue = new WorkQueue<WorkItem>({
    worker: (uid, item) => reconciler.reconcile(uid, item),
    concurrency: config.workers,
    merge: mergeItems,
    retry: config.watchBackoff,
    onError: (uid, _item, error, retryInMs) => logger.warn('could not process an InstanceGroup; retrying', { uid, retryInMs, error }),
  });
  const offer = (group: InstanceGroup, mode: DecideMode, observedAt: number) => {
    if (!leading || stopping) return;
    // Cheap pre-check: most objects need nothing, so they never enter the queue.
    if (!decision(group, mode)) return;
    queue.add(group.metadata.uid, { group, mode, observedAt });
  };

  const passes = new ResyncPasses({
    rest,
    namespaces: config.namespaces,
    pageSize: config.listPageSize,
    periodMs: config.resyncPeriodMs,
    initialRetryMs: config.watchBackoff.maxMs / 4,
    isActive: () => leading && !stopping,
    offer,
    afterPass: (seen) => {
      reconciler.keepOnly(seen);
      publisher.retryNow();
      collectListGarbage();
    },
    pending: () => publisher.size,
    logger,
    metrics,
  });

  const informers: Informers = new Informers(config.namespaces, {
    rest,
    watch: watching,
    logger,
    metrics,
    backoff: config.watchBackoff,
    timeoutSeconds: config.watchTimeoutSeconds,
    idleTimeoutMs: Math.max(1000, Math.round(config.watchStaleAfterMs / 2)),
    pageSize: config.listPageSize,
    onListed: () => {
      passes.informerListed(informers.synced);
      // Once the whole first list is in (not per watched namespace), then after each relist.
      if (informers.synced) collectListGarbage();
    },
    onEvent: (type, group, observedAt) => {
      try {
        if (type === 'DELETED') {
          reconciler.forget(group.metadata.uid);
          queue.forget(group.metadata.uid);
          return;
        }
        offer(group, type === 'LISTED' ? passes.listedMode : 'watch', observedAt);
      } catch (error) {
        logger.error('could not handle a watch event', { ...groupContext(group.metadata ?? {}), error });
      }
    },
  });

  const heartbeat = new Heartbeat({
    periodMs: config.heartbeatPeriodMs,
    clusterName: config.clusterName,
    identity: config.identity,
    eventBusName: config.eventBusName,
    putEvents,
    logger,
    metrics,
  });

  const { name: clusterName, region: clusterRegion, accountId } = clusterInfo(config);
  const nodeWatch = config.watchNodes
    ? new NodeWatch({
        rest,
        watch: watching,
        cluster: { name: clusterName, ...(clusterRegion ? { region: clusterRegion } : {}), ...(accountId ? { accountId } : {}) },
        eventBusName: config.eventBusName,
        putEvents,
        isLeading: () => leading && !stopping,
        logger: logger.child({ watch: 'nodes' }),
        backoff: config.watchBackoff,
        timeoutSeconds: config.watchTimeoutSeconds,
        idleTimeoutMs: Math.max(1000, Math.round(config.watchStaleAfterMs / 2)),
        pageSize: config.listPageSize,
      })
    : undefined;

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
      passes.leadershipTaken(informers.nothingDelivered);
    },
    onStoppedLeading: () => {
      leading = false;
      metrics.leader.set(0);
      heartbeat.stop();
      passes.leadershipLost();
      // The next leader's first pass re-derives all of it from the objects.
      queue.clear();
      publisher.clear();
      reconciler.reset();
    },
  });

  const probeState: ProbeState = {
    informers,
    staleAfterMs: config.watchStaleAfterMs,
    isLeading: () => leading,
    isStopping: () => stopping,
    pending: () => publisher.size,
  };
  let server: HealthServer;
  try {
    server = await startHealthServer({
      port: config.healthPort,
      liveness: () => liveness(probeState),
      readiness: () => readiness(probeState),
      metrics: () => metrics.render(),
    });
  } catch (error) {
    throw new Error(`cannot listen on HEALTH_PORT ${config.healthPort}: ${(error as Error).message}`, { cause: error });
  }
  informers.start();
  nodeWatch?.start();
  elector.start();
  passes.startPeriodic();
  logger.info('relay started', {
    bus: config.eventBusName,
    cluster: config.clusterName,
    namespaces: config.namespaces.length ? config.namespaces : 'all',
    resyncPeriodMs: config.resyncPeriodMs,
    port: server.port,
  });

  async function shutDown(): Promise<void> {
    const deadline = performance.now() + config.shutdownTimeoutMs;
    const remaining = () => Math.max(0, deadline - performance.now());
    const until = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
    stopping = true;
    logger.info('stopping', { pending: publisher.size });
    heartbeat.stop();
    const passDone = passes.stop();
    await Promise.all([informers.stop(), nodeWatch?.stop()]);
    // Finish the objects already being handled (finalizer patches), then deliver what is queued.
    await Promise.race([queue.idle(), until(remaining() / 2)]);
    await Promise.race([Promise.all([queue.close(), passDone]), until(remaining() / 2)]);
    const left = leading ? await publisher.drain(remaining()) : publisher.size;
    if (left) logger.warn('stopping with undelivered events; the next leader re-sends them', { pending: left });
    publisher.stop();
    eventBridge?.close();
    await elector.stop({ release: true });
    await server.close();
    await watching.close().catch(() => {});
    rest.close();
    logger.info('stopped');
  }

  let stopped: Promise<void> | undefined;
  return {
    port: server.port,
    identity: config.identity,
    metrics,
    isLeader: () => leading,
    isSynced: () => informers.synced,
    resyncNow: () => passes.run('resync'),
    liveness: () => liveness(probeState),
    readiness: () => readiness(probeState),
    stop: () => (stopped ??= shutDown()),
  };
}
