// The Node watch: list + watch of the Nodes that carry our group label (label selector, so other Nodes never reach
// the relay), and an "InstanceGroup Node Ready" event each time one of them becomes Ready, while this replica
// leads. The eks-cf node-join wait resumes on it (functions/eks-cf/node-events.ts) instead of polling. A lost event
// is not retried for long: the wait's fallback check (30 s) covers it, so nothing here may grow without bound.
// The loop is the informer's (informer.ts, with a label selector); this module keeps no objects, only
// NodeReadiness's names of not-yet-Ready Nodes.
import { retryWithBackoff, type BackoffPolicy } from '../core/backoff/index.js';
import { DETAIL_VERSION, nodeReadyEntry, type ClusterIdentity, type PutEventsEntry } from '../core/events/index.js';
import type { KubeRest } from '../core/kube/rest.js';
import type { Logger } from '../core/log/index.js';
import { Informer } from './informer.js';
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

export class NodeWatch {
  readonly readiness = new NodeReadiness();
  private readonly informer: Informer<NodeView>;
  private readonly stopController = new AbortController();
  private queued: PutEventsEntry[] = [];
  private readonly queuedNodes: ReadyNode[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: NodeWatchOptions) {
    const { rest, watch, logger, backoff, timeoutSeconds, idleTimeoutMs, pageSize } = options;
    this.informer = new Informer<NodeView>({
      rest,
      watch,
      path: NODES_PATH,
      labelSelector: NODE_SELECTOR,
      logger,
      backoff,
      timeoutSeconds,
      idleTimeoutMs,
      pageSize,
      onListStarted: () => this.readiness.listStarted(),
      onEvent: (type, node) => {
        const ready = type === 'LISTED' ? this.readiness.listed(node) : this.readiness.event(type, node);
        if (ready) this.publish(ready);
      },
      onListed: () => this.readiness.listEnded(),
    });
  }

  start(): void {
    this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.informer.stop();
    await this.flushing;
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
