// The reconciler: one pass per queued object. It decides (decide.ts) whether the object needs an event, skips
// what was already handed over or is not yet due for another attempt, adds our finalizer before the first apply
// event, and hands the change to the publisher. Its memory is a few strings per object it has handed over.
import type { InstanceGroupApi } from '../core/kube/instancegroups.js';
import { groupContext, type Logger } from '../core/log/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../core/status/retry.js';
import { decide, executionKey, hasFinalizer, type ClusterInfo, type DecideMode, type PendingChange } from './decide.js';
import { ensureFinalizer } from './finalizer.js';
import type { RelayMetrics } from './metrics.js';
import type { Delivered, Publisher } from './publisher.js';
import type { WorkItem } from './work-item.js';

export interface ReconcilerOptions {
  cluster: ClusterInfo;
  groups: InstanceGroupApi;
  publisher: Pick<Publisher, 'enqueue' | 'has'>;
  /** Only the leader reconciles; checked again after every wait. */
  isLeading: () => boolean;
  /** Passes re-send an execution already handed over once it has had this long to report. */
  resyncPeriodMs: number;
  logger: Logger;
  metrics: RelayMetrics;
  now?: () => number;
}

export class Reconciler {
  /** Per uid: the execution last handed to the publisher, and when. Avoids needless duplicates. */
  private readonly handed = new Map<string, { key: string; at: number }>();
  private readonly oversizeWarned = new Set<string>();
  /** Per failed execution (its key): when this replica first saw the failure; the next attempt waits a growing delay. */
  private readonly failureSeen = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  async reconcile(uid: string, item: WorkItem): Promise<void> {
    const { isLeading, cluster, publisher, metrics, logger } = this.options;
    if (!isLeading()) return;
    let group = item.group;
    let change: PendingChange | undefined = decide(group, item.mode, cluster);
    if (!change) return;
    if (this.alreadyHandled(change, item.mode)) return;
    if (this.retryNotYetDue(change)) return;
    if (change.operation === 'apply' && !hasFinalizer(group)) {
      const updated = await ensureFinalizer(this.options.groups, group, { metrics, logger });
      if (!updated || !isLeading()) return;
      group = updated;
      change = decide(group, item.mode, cluster);
      if (!change || this.alreadyHandled(change, item.mode)) return;
      if (change.operation === 'apply' && !hasFinalizer(group)) return;
    }
    const result = publisher.enqueue(change, item.observedAt);
    if (result === 'queued') {
      metrics.changes.inc({ operation: change.operation, reason: change.reason });
      logger.debug('change queued', { ...groupContext(change.group), operation: change.operation, attempt: change.attempt, mode: item.mode });
    }
    if (result !== 'stale') this.handed.set(uid, { key: executionKey(change), at: this.now() });
  }

  /** EventBridge acknowledged a change. "Recently sent" counts from here, so a long outage does not make the first resync after it re-send. */
  delivered(delivery: Delivered): void {
    const h = this.handed.get(delivery.change.group.uid);
    if (h?.key === executionKey(delivery.change)) h.at = this.now();
  }

  /** A change too large for EventBridge even without its spec: one Warning Event on the object per execution. */
  oversize(change: PendingChange, bytes: number): void {
    const key = executionKey(change);
    if (this.oversizeWarned.has(key)) return;
    this.oversizeWarned.add(key);
    const ref = { metadata: { ...change.group } } as unknown as InstanceGroup;
    this.options.groups
      .recordEvent(ref, 'Warning', 'EventTooLarge', `The change is ${bytes} bytes; EventBridge accepts at most 256 KiB per event. Make the spec smaller.`)
      .catch((error: unknown) => this.options.logger.warn('could not record an Event', { ...groupContext(change.group), error }));
  }

  /** The object is gone. */
  forget(uid: string): void {
    for (const key of this.failureSeen.keys()) if (key.startsWith(`${uid}/`)) this.failureSeen.delete(key);
    this.handed.delete(uid);
  }

  /** After a complete pass: forget the objects it did not see. */
  keepOnly(seen: Set<string>): void {
    for (const uid of this.handed.keys()) if (!seen.has(uid)) this.handed.delete(uid);
  }

  /** Leadership lost: the next leader's first pass re-derives all of it from the objects. */
  reset(): void {
    this.handed.clear();
    this.failureSeen.clear();
  }

  private alreadyHandled(change: PendingChange, mode: DecideMode): boolean {
    if (this.options.publisher.has(change)) return true;
    const previous = this.handed.get(change.group.uid);
    if (previous?.key !== executionKey(change)) return false;
    // Watch events never re-send an execution already handed over; passes re-send it once it has had a whole
    // resync period to report.
    return mode === 'watch' || this.now() - previous.at < this.options.resyncPeriodMs;
  }

  /** Whether the next attempt after a failure must wait longer (the delay grows with each attempt). */
  private retryNotYetDue(change: PendingChange): boolean {
    if (change.reason !== 'resync' || change.attempt <= 1) return false;
    const failed = executionKey({ ...change, attempt: change.attempt - 1 });
    const now = this.now();
    const seen = this.failureSeen.get(failed) ?? now;
    this.failureSeen.set(failed, seen);
    if (now - seen < retryDelayMs(change.attempt - 1, this.options.resyncPeriodMs, MAX_RETRY_DELAY_MS)) return true;
    this.failureSeen.delete(failed);
    return false;
  }
}
