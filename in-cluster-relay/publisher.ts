// Publishing: PutEvents in batches of at most 10 entries and 256 KB, resending only the entries that failed, each
// with its own exponential backoff (core/backoff). Nothing is dropped: an entry that keeps failing is counted and
// logged as undeliverable, stays queued (at the maximum backoff) and is made due again by every resync.
import { backoffDelay, type BackoffPolicy } from '../core/backoff/index.js';
import { MAX_ENTRY_BYTES, entrySize, type PutEventsEntry } from '../core/events/index.js';
import type { Logger } from '../core/log/index.js';
import { executionKey, type PendingChange } from './decide.js';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  entryOf,
  entryOutcomes,
  fitEntry,
  type PutEventsFn,
  type PutEventsResult,
} from './eventbridge.js';
import type { RelayMetrics } from './metrics.js';
import { PublishReport } from './publish-report.js';

export interface Delivered {
  change: PendingChange;
  eventId?: string;
  /** performance.now() when the watch event that caused it arrived (if known). */
  observedAt?: number;
  ackAt: number;
  /** The PutEvents round trip of the call that delivered it. */
  roundTripMs: number;
  /** Sends it took (1 = first try). */
  sends: number;
}

export interface PublisherOptions {
  putEvents: PutEventsFn;
  eventBusName: string;
  backoff: BackoffPolicy;
  /** After this many failed sends an entry is reported undeliverable (once); it is still retried. */
  giveUpAfter: number;
  logger: Logger;
  metrics?: RelayMetrics;
  maxBatchEntries?: number;
  maxBatchBytes?: number;
  /** PutEvents calls in flight at once. */
  concurrency?: number;
  onDelivered?: (delivery: Delivered) => void;
  onOversize?: (change: PendingChange, bytes: number) => void;
  now?: () => number;
  random?: () => number;
}

interface Pending {
  key: string;
  slot: string;
  change: PendingChange;
  observedAt?: number;
  failures: number;
  dueAt: number;
  inFlight: boolean;
  /** A newer change for the same group and operation arrived while this one was in flight. */
  superseded: boolean;
}

export type EnqueueResult = 'queued' | 'duplicate' | 'stale' | 'oversize';

const slotOf = (c: PendingChange) => `${c.group.uid}/${c.operation}`;
const newer = (a: PendingChange, b: PendingChange) =>
  a.group.generation !== b.group.generation ? a.group.generation > b.group.generation : a.attempt > b.attempt;

export class Publisher {
  private readonly pending = new Map<string, Pending>();
  private readonly bySlot = new Map<string, string>();
  private readonly ready = new Set<string>();
  private readonly delayed = new Set<string>();
  private inFlight = 0;
  private kickScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private stopped = false;
  private waiters: (() => void)[] = [];
  private readonly report: PublishReport;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: PublisherOptions) {
    this.maxEntries = Math.min(options.maxBatchEntries ?? MAX_BATCH_ENTRIES, MAX_BATCH_ENTRIES);
    this.maxBytes = Math.min(options.maxBatchBytes ?? MAX_BATCH_BYTES, MAX_BATCH_BYTES);
    this.concurrency = options.concurrency ?? 4;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.report = new PublishReport(options.logger, options.metrics, options.giveUpAfter);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Whether this exact execution (uid, generation, operation, attempt) is waiting or in flight. */
  has(change: PendingChange): boolean {
    return this.pending.has(executionKey(change));
  }

  enqueue(full: PendingChange, observedAt?: number): EnqueueResult {
    const key = executionKey(full);
    if (this.pending.has(key)) return 'duplicate';
    const fitted = fitEntry(full, this.options.eventBusName);
    const { change, bytes } = fitted;
    if (!fitted.fits) {
      this.report.oversize(change, bytes, MAX_ENTRY_BYTES);
      this.options.onOversize?.(change, bytes);
      return 'oversize';
    }
    if (fitted.slimmedFrom !== undefined) this.report.slimmed(full, fitted.slimmedFrom, bytes);
    const slot = slotOf(change);
    const previousKey = this.bySlot.get(slot);
    const previous = previousKey ? this.pending.get(previousKey) : undefined;
    if (previous) {
      if (!newer(change, previous.change)) return 'stale';
      if (previous.inFlight) previous.superseded = true;
      else this.remove(previous);
    }
    const entry: Pending = { key, slot, change, observedAt, failures: 0, dueAt: 0, inFlight: false, superseded: false };
    this.pending.set(key, entry);
    this.bySlot.set(slot, key);
    this.ready.add(key);
    this.updateGauge();
    this.kick();
    return 'queued';
  }

  /** Makes every backed-off entry due now (the resync calls this). */
  retryNow(): void {
    for (const key of this.delayed) {
      const p = this.pending.get(key);
      if (p) {
        p.dueAt = 0;
        this.ready.add(key);
      }
    }
    this.delayed.clear();
    this.kick();
  }

  /** Forgets everything not yet sent (on losing leadership: the next leader's first pass re-derives it). */
  clear(): void {
    for (const p of [...this.pending.values()]) {
      if (p.inFlight) p.superseded = true;
      else this.remove(p);
    }
    this.updateGauge();
    this.notifyIfEmpty();
  }

  /** Waits until nothing is pending, or the timeout; returns how many entries are left. */
  async drain(timeoutMs: number): Promise<number> {
    if (this.pending.size > 0) {
      this.retryNow();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.pending.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  // ------------------------------------------------------------------------------------------ internals

  private remove(p: Pending): void {
    this.pending.delete(p.key);
    this.ready.delete(p.key);
    this.delayed.delete(p.key);
    if (this.bySlot.get(p.slot) === p.key) this.bySlot.delete(p.slot);
  }

  private updateGauge(): void {
    this.options.metrics?.pending.set(this.pending.size);
  }

  private notifyIfEmpty(): void {
    if (this.pending.size === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Sends on the next turn of the event loop, so that changes arriving together share a batch. */
  private kick(): void {
    if (this.kickScheduled || this.stopped) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < this.concurrency && this.ready.size > 0) {
      const batch: Pending[] = [];
      const entries: PutEventsEntry[] = [];
      let bytes = 0;
      for (const key of this.ready) {
        const p = this.pending.get(key);
        if (!p) {
          this.ready.delete(key);
          continue;
        }
        const entry = entryOf(p.change, this.options.eventBusName);
        const size = entrySize(entry);
        if (batch.length >= this.maxEntries || (batch.length > 0 && bytes + size > this.maxBytes)) break;
        batch.push(p);
        entries.push(entry);
        bytes += size;
        this.ready.delete(key);
        p.inFlight = true;
      }
      if (batch.length === 0) break;
      this.inFlight++;
      void this.send(batch, entries).finally(() => {
        this.inFlight--;
        this.kick();
      });
    }
  }

  private async send(batch: Pending[], entries: PutEventsEntry[]): Promise<void> {
    const started = this.now();
    let result: PutEventsResult | undefined;
    let callError: unknown;
    try {
      result = await this.options.putEvents(entries);
    } catch (error) {
      callError = error;
    }
    const ackAt = this.now();
    const roundTripMs = ackAt - started;
    const outcomes = entryOutcomes(batch.length, result, callError);
    this.report.call({ roundTripMs, outcomes, callError, pending: this.pending.size, now: this.now() });

    // One clock reading for the whole response, so entries rejected together are due together (and re-sent in one
    // call) however long logging the others takes on a busy machine.
    const answeredAt = this.now();
    batch.forEach((p, i) => {
      const outcome = outcomes[i]!;
      p.inFlight = false;
      if (outcome.ok) {
        this.remove(p);
        const delivery = { change: p.change, eventId: outcome.eventId, observedAt: p.observedAt, ackAt, roundTripMs, sends: p.failures + 1 };
        this.report.forwarded(p.change, delivery);
        this.options.onDelivered?.(delivery);
        return;
      }
      const willRetry = !p.superseded && !this.stopped;
      const delay = willRetry ? backoffDelay(p.failures + 1, this.options.backoff, this.random) : 0;
      this.report.failed(p.change, { willRetry, sends: p.failures + 1, error: outcome.error, retryInMs: delay, wholeCallFailed: callError !== undefined });
      if (!willRetry) {
        this.remove(p);
        return;
      }
      p.failures++;
      p.dueAt = answeredAt + delay;
      this.delayed.add(p.key);
    });
    this.updateGauge();
    this.scheduleDelayed();
    this.notifyIfEmpty();
  }

  private scheduleDelayed(): void {
    if (this.stopped || this.delayed.size === 0) return;
    let earliest = Infinity;
    for (const key of this.delayed) earliest = Math.min(earliest, this.pending.get(key)?.dueAt ?? Infinity);
    if (earliest === Infinity || (this.timer && earliest >= this.timerDue)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = earliest;
    this.timer = setTimeout(() => this.promoteDue(), Math.max(0, earliest - this.now()));
    this.timer.unref();
  }

  private promoteDue(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    // Entries due within a moment of each other go out together, rather than one call each.
    const horizon = this.now() + this.options.backoff.initialMs / 4;
    for (const key of this.delayed) {
      const p = this.pending.get(key);
      if (!p) this.delayed.delete(key);
      else if (p.dueAt <= horizon) {
        this.delayed.delete(key);
        this.ready.add(key);
      }
    }
    this.kick();
    this.scheduleDelayed();
  }
}

