// What publishing tells the operator: metrics and log lines for each PutEvents call and each entry's fate. Failed
// calls are logged at most once every LOG_EVERY_MS (with a count), since one line per call floods the log during
// an outage.
import { groupContext, type Logger } from '../core/log/index.js';
import type { PendingChange } from './decide.js';
import type { EntryOutcome } from './eventbridge.js';
import type { RelayMetrics } from './metrics.js';

const LOG_EVERY_MS = 10_000;
const round = (ms: number) => Math.round(ms * 100) / 100;

export class PublishReport {
  private lastCallErrorLog = -Infinity;
  private suppressedCallErrors = 0;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: RelayMetrics | undefined,
    private readonly giveUpAfter: number,
  ) {}

  /** One PutEvents call answered (or failed as a whole). */
  call(options: { roundTripMs: number; outcomes: EntryOutcome[]; callError: unknown; pending: number; now: number }): void {
    const { roundTripMs, outcomes, callError } = options;
    this.metrics?.putEventsSeconds.observe(roundTripMs / 1000);
    const failed = outcomes.filter((o) => !o.ok).length;
    this.metrics?.putEventsCalls.inc({ result: callError ? 'error' : failed ? 'partial' : 'ok' });
    if (!callError) return;
    if (options.now - this.lastCallErrorLog >= LOG_EVERY_MS) {
      this.logger.warn('PutEvents failed; the entries will be re-sent', {
        entries: outcomes.length,
        pending: options.pending,
        failedCallsSinceLastLog: this.suppressedCallErrors,
        error: callError,
      });
      this.lastCallErrorLog = options.now;
      this.suppressedCallErrors = 0;
    } else this.suppressedCallErrors++;
  }

  forwarded(change: PendingChange, d: { eventId?: string; observedAt?: number; sends: number; ackAt: number; roundTripMs: number }): void {
    this.metrics?.published.inc({ operation: change.operation });
    if (d.observedAt !== undefined) this.metrics?.forwardSeconds.observe(Math.max(0, d.ackAt - d.observedAt - d.roundTripMs) / 1000);
    this.logger.info('change forwarded', {
      ...groupContext(change.group),
      operation: change.operation,
      reason: change.reason,
      attempt: change.attempt,
      eventId: d.eventId,
      sends: d.sends,
      // From the watch event to the acknowledgement, and the PutEvents round trip within it.
      ...(d.observedAt !== undefined ? { latencyMs: round(d.ackAt - d.observedAt) } : {}),
      putEventsMs: round(d.roundTripMs),
    });
  }

  /** An entry that failed; `willRetry` is false when it is dropped (superseded, or the publisher stopped). */
  failed(change: PendingChange, d: { willRetry: boolean; sends: number; error: string; retryInMs: number; wholeCallFailed: boolean }): void {
    this.metrics?.failedEntries.inc();
    if (!d.willRetry) return;
    const context = { ...groupContext(change.group), operation: change.operation, attempt: change.attempt };
    if (d.sends === this.giveUpAfter) {
      this.metrics?.undeliverable.inc();
      this.logger.error('change undeliverable so far; kept queued and re-sent at the next resync', { ...context, sends: d.sends, error: d.error });
    } else if (!d.wholeCallFailed) {
      this.logger.warn('EventBridge rejected an entry; re-sending it', { ...context, sends: d.sends, error: d.error, retryInMs: Math.round(d.retryInMs) });
    }
  }

  oversize(change: PendingChange, bytes: number, limit: number): void {
    this.metrics?.oversize.inc();
    this.logger.error('change exceeds the EventBridge entry limit; not sent', { ...groupContext(change.group), operation: change.operation, bytes, limit });
  }

  slimmed(change: PendingChange, bytes: number, sentBytes: number): void {
    this.logger.info('change exceeds the EventBridge entry limit; sending it without its spec', {
      ...groupContext(change.group),
      operation: change.operation,
      bytes,
      sentBytes,
    });
  }
}
