// The Node watch: list + watch of the Nodes that carry our group label (label selector, so other Nodes never reach
// the relay), and an "InstanceGroup Node Ready" event each time one of them becomes Ready, while this replica
// leads. The eks-cf node-join wait resumes on it (functions/eks-cf/node-events.ts) instead of polling. A lost event
// is not retried for long: the wait's fallback check (30 s) covers it, so nothing here may grow without bound.
// The loop is the informer's (informer.ts) cut down: resume from the last resourceVersion, relist on 410, back off
// on errors; it keeps no objects, only NodeReadiness's names of not-yet-Ready Nodes.
import { backoffDelay, retryWithBackoff, sleep, type BackoffPolicy } from '../core/backoff/index.js';
import { DETAIL_VERSION, nodeReadyEntry, type ClusterIdentity, type PutEventsEntry } from '../core/events/index.js';
import { httpStatusOf } from '../core/kube/instancegroups.js';
import type { KubeRest } from '../core/kube/rest.js';
import type { Logger } from '../core/log/index.js';
import type { WatchClient } from './kube.js';
import type { PutEventsFn } from './eventbridge.js';
import { NODE_SELECTOR, NodeReadiness, type NodeView, type ReadyNode } from './node-readiness.js';

const NODES_PATH = '/api/v1/nodes';
const MAX_ENTRIES_PER_CALL = 10;

export interface NodeWatchOptions {
  rest: KubeRest;
  watch: WatchClient;
  cluster: ClusterIdentity;
  eventBusName: string;
  putEvents: PutEventsFn;
  isLeading(): boolean;
  logger: Logger;
  backoff: BackoffPolicy;
  timeoutSeconds: number;
  idleTimeoutMs: number;
  pageSize: number;
  /** Tests and benchmarks: each node-ready event EventBridge acknowledged. */
  onPublished?(ready: ReadyNode): void;
  now?: () => Date;
}

type WatchEnd = { kind: 'closed'; received: boolean } | { kind: 'gone' } | { kind: 'error'; error: unknown };

export class NodeWatch {
  readonly readiness = new NodeReadiness();
  private resourceVersion = '';
  private failures = 0;
  private readonly stopController = new AbortController();
  private abortCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private queued: PutEventsEntry[] = [];
  private readonly queuedNodes: ReadyNode[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: NodeWatchOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.abortCurrent?.();
    await this.loop;
    await this.flushing;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.list();
        if (this.stopped) break;
        const started = performance.now();
        const end = await this.watchOnce();
        if (this.stopped) break;
        if (end.kind === 'gone') {
          this.resourceVersion = '';
          continue;
        }
        if (end.kind === 'closed') {
          if (end.received || performance.now() - started > 1000) continue;
          throw new Error('the node watch closed immediately without any event');
        }
        throw end.error;
      } catch (error) {
        if (this.stopped) break;
        if (httpStatusOf(error) === 410) {
          this.resourceVersion = '';
          continue;
        }
        this.failures++;
        const delay = backoffDelay(this.failures, this.options.backoff);
        const forbidden = httpStatusOf(error) === 403 ? ' (the relay needs list and watch on nodes: its ClusterRole)' : '';
        this.options.logger.warn(`node watch failed; restarting${forbidden}`, { retryInMs: Math.round(delay), error });
        await sleep(delay, this.stopController.signal);
      }
    }
  }

  private async list(): Promise<void> {
    this.readiness.listStarted();
    let continueToken: string | undefined;
    do {
      const page = await this.options.rest.get<{ items: NodeView[]; metadata: { resourceVersion: string; continue?: string } }>(NODES_PATH, {
        labelSelector: NODE_SELECTOR,
        limit: this.options.pageSize,
        continue: continueToken,
      });
      if (this.stopped) return;
      for (const ready of this.readiness.listedPage(page.items)) this.publish(ready);
      continueToken = page.metadata.continue || undefined;
      this.resourceVersion = continueToken ? '' : page.metadata.resourceVersion;
    } while (continueToken);
    this.readiness.listEnded();
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let received = false;
      const finish = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        if (received) this.failures = 0;
        resolve(end);
      };
      this.abortCurrent = this.options.watch.watch({
        path: NODES_PATH,
        query: {
          labelSelector: NODE_SELECTOR,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.round(this.options.timeoutSeconds * (1 + Math.random())),
        },
        idleTimeoutMs: this.options.idleTimeoutMs,
        onEvent: (type, raw) => {
          if (settled) return;
          received = true;
          const object = raw as NodeView & { code?: number; message?: string; metadata?: { resourceVersion?: string } };
          if (type === 'ERROR') {
            finish(object.code === 410 ? { kind: 'gone' } : { kind: 'error', error: Object.assign(new Error(`node watch ERROR event: ${object.message ?? ''}`), { code: object.code }) });
            this.abortCurrent?.();
            return;
          }
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            const ready = this.readiness.event(type, object);
            if (ready) this.publish(ready);
          }
          const rv = object.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
        },
        onDone: (error) => {
          if (!error || error.name === 'TimeoutError') return finish({ kind: 'closed', received });
          if (httpStatusOf(error) === 410) return finish({ kind: 'gone' });
          finish({ kind: 'error', error });
        },
      });
      if (this.stopped) this.abortCurrent();
    });
  }

  /** Queues the event (followers send nothing) and sends the queue in calls of up to 10 entries. */
  private publish(ready: ReadyNode): void {
    if (!this.options.isLeading()) return;
    const { cluster, eventBusName } = this.options;
    const sentAt = (this.options.now?.() ?? new Date()).toISOString();
    this.queued.push(nodeReadyEntry({ version: DETAIL_VERSION, cluster, group: ready.group, node: ready.node, sentAt }, eventBusName));
    this.queuedNodes.push(ready);
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
  }

  private async flush(): Promise<void> {
    // Let the rest of this watch chunk queue its events first.
    await new Promise((r) => setImmediate(r));
    while (this.queued.length) {
      const entries = this.queued.splice(0, MAX_ENTRIES_PER_CALL);
      const nodes = this.queuedNodes.splice(0, entries.length);
      try {
        await retryWithBackoff(
          async () => {
            const result = await this.options.putEvents(entries);
            if (result.FailedEntryCount) throw new Error(`${result.Entries?.find((e) => e.ErrorCode)?.ErrorCode ?? 'rejected'}: some node-ready entries failed`);
            return result;
          },
          { initialMs: 200, maxMs: 2000, maxAttempts: 3, retryable: () => true, signal: this.stopController.signal },
        );
        for (const node of nodes) this.options.onPublished?.(node);
        this.options.logger.debug('node ready events sent', { nodes: nodes.map((n) => n.node) });
      } catch (error) {
        // The waits these were for end by their fallback check.
        this.options.logger.warn('node ready events not delivered; the waits fall back to their check', { nodes: nodes.map((n) => n.node), error });
      }
    }
  }
}
