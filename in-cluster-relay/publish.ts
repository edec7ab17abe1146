// Over 350 lines: batching, per-entry backoff and oversize handling share one queue state; issue 16 splits the relay
// into informer, queue and reconciler pieces.
// Sending: PutEvents in batches of at most 10 entries and 256 KB, resending only the entries that failed, each
// with its own exponential backoff. Nothing is dropped: an entry that keeps failing is counted and logged as
// undeliverable, stays queued (at the maximum backoff) and is made due again by every resync.
import {
  MAX_ENTRY_BYTES,
  entrySize,
  toPutEventsEntry,
  withoutSpec,
  type PutEventsEntry,
} from '../core/events/index.js';
import { groupContext, type Logger } from '../core/log/index.js';
import type { Backoff } from './config.js';
import { executionKey, type PendingChange } from './decide.js';
import type { RelayMetrics } from './metrics.js';

export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;

export interface PutEventsResult {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** One PutEvents call; the relay passes the SDK client's, tests pass a stub. */
export type PutEventsFn = (entries: PutEventsEntry[]) => Promise<PutEventsResult>;

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
  backoff: Backoff;
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

const LOG_EVERY_MS = 10_000;
const SENT_AT_PLACEHOLDER = new Date(0).toISOString();
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
  private lastCallErrorLog = -Infinity;
  private suppressedCallErrors = 0;
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
    const sizeOf = (c: PendingChange) => entrySize(toPutEventsEntry({ ...c, sentAt: SENT_AT_PLACEHOLDER }, this.options.eventBusName));
    let change = full;
    let bytes = sizeOf(change);
    if (bytes > MAX_ENTRY_BYTES) {
      // The workflow re-reads the object, so the spec can stay behind: only what names the AWS resources travels.
      const slim = withoutSpec(full);
      const slimBytes = sizeOf(slim);
      if (slimBytes <= MAX_ENTRY_BYTES) {
        this.options.logger.info('change exceeds the EventBridge entry limit; sending it without its spec', {
          ...groupContext(full.group),
          operation: full.operation,
          bytes,
          sentBytes: slimBytes,
        });
        change = slim;
        bytes = slimBytes;
      }
    }
    if (bytes > MAX_ENTRY_BYTES) {
      this.options.metrics?.oversize.inc();
      this.options.logger.error('change exceeds the EventBridge entry limit; not sent', {
        ...groupContext(change.group),
        operation: change.operation,
        bytes,
        limit: MAX_ENTRY_BYTES,
      });
      this.options.onOversize?.(change, bytes);
      return 'oversize';
    }
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
        const entry = toPutEventsEntry({ ...p.change, sentAt: new Date().toISOString() }, this.options.eventBusName);
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
    const { metrics, logger } = this.options;
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
    metrics?.putEventsSeconds.observe(roundTripMs / 1000);

    const outcomes = batch.map((_, i) => {
      if (callError) return { ok: false, error: describe(callError) };
      const r = result?.Entries?.[i];
      if (r?.ErrorCode) return { ok: false, error: `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim() };
      // Without per-entry results the count is all we have: a non-zero count fails the whole batch.
      if (!r && (result?.FailedEntryCount ?? 0) > 0) return { ok: false, error: 'FailedEntryCount without entry results' };
      return { ok: true, eventId: r?.EventId };
    });
    const failed = outcomes.filter((o) => !o.ok).length;
    metrics?.putEventsCalls.inc({ result: callError ? 'error' : failed ? 'partial' : 'ok' });
    if (callError) {
      // One line per failed call floods the log during an outage: at most one every LOG_EVERY_MS, with a count.
      const now = this.now();
      if (now - this.lastCallErrorLog >= LOG_EVERY_MS) {
        logger.warn('PutEvents failed; the entries will be re-sent', {
          entries: batch.length,
          pending: this.pending.size,
          failedCallsSinceLastLog: this.suppressedCallErrors,
          error: callError,
        });
        this.lastCallErrorLog = now;
        this.suppressedCallErrors = 0;
      } else this.suppressedCallErrors++;
    }

    // One clock reading for the whole response, so entries rejected together are due together (and re-sent in one
    // call) however long logging the others takes on a busy machine.
    const answeredAt = this.now();
    batch.forEach((p, i) => {
      const outcome = outcomes[i]!;
      p.inFlight = false;
      if (outcome.ok) {
        this.remove(p);
        metrics?.published.inc({ operation: p.change.operation });
        if (p.observedAt !== undefined) metrics?.forwardSeconds.observe(Math.max(0, ackAt - p.observedAt - roundTripMs) / 1000);
        logger.info('change forwarded', {
          ...groupContext(p.change.group),
          operation: p.change.operation,
          reason: p.change.reason,
          attempt: p.change.attempt,
          eventId: outcome.eventId,
          sends: p.failures + 1,
          // From the watch event to the acknowledgement, and the PutEvents round trip within it.
          ...(p.observedAt !== undefined ? { latencyMs: round(ackAt - p.observedAt) } : {}),
          putEventsMs: round(roundTripMs),
        });
        this.options.onDelivered?.({
          change: p.change,
          eventId: outcome.eventId,
          observedAt: p.observedAt,
          ackAt,
          roundTripMs,
          sends: p.failures + 1,
        });
        return;
      }
      metrics?.failedEntries.inc();
      if (p.superseded || this.stopped) {
        this.remove(p);
        return;
      }
      p.failures++;
      const delay = this.delay(p.failures);
      p.dueAt = answeredAt + delay;
      this.delayed.add(p.key);
      const context = { ...groupContext(p.change.group), operation: p.change.operation, attempt: p.change.attempt };
      if (p.failures === this.options.giveUpAfter) {
        metrics?.undeliverable.inc();
        logger.error('change undeliverable so far; kept queued and re-sent at the next resync', {
          ...context,
          sends: p.failures,
          error: outcome.error,
        });
      } else if (!callError) {
        logger.warn('EventBridge rejected an entry; re-sending it', { ...context, sends: p.failures, error: outcome.error, retryInMs: Math.round(delay) });
      }
    });
    this.updateGauge();
    this.scheduleDelayed();
    this.notifyIfEmpty();
  }

  private delay(failures: number): number {
    const { initialMs, maxMs } = this.options.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
    return base * (0.8 + 0.4 * this.random());
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

const round = (ms: number) => Math.round(ms * 100) / 100;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
