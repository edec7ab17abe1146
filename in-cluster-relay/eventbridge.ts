// The EventBridge side of publishing: the PutEvents call (a signed POST, put-events.ts, or a stub in tests), fitting
// a change into one entry, and reading a PutEvents answer entry by entry.
import { MAX_ENTRY_BYTES, entrySize, toPutEventsEntry, withoutSpec, type PutEventsEntry } from '../core/events/index.js';
import type { RelayConfig } from './config.js';
import type { PendingChange } from './decide.js';
import { putEventsClient } from './put-events.js';

export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;

export interface PutEventsResult {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** One PutEvents call; the relay passes put-events.ts's, tests pass a stub. */
export type PutEventsFn = (entries: PutEventsEntry[]) => Promise<PutEventsResult>;

export function eventBridgePutEvents(config: RelayConfig): { putEvents: PutEventsFn; close(): void } {
  // Our own queue retries with backoff; the client's 3 attempts only smooth over single blips.
  return putEventsClient({ region: config.region, maxAttempts: 3, ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}) });
}

/** The change as it will be sent at `sentAt`. */
export const entryOf = (change: PendingChange, eventBusName: string, sentAt = new Date().toISOString()): PutEventsEntry =>
  toPutEventsEntry({ ...change, sentAt }, eventBusName);

const SENT_AT_PLACEHOLDER = new Date(0).toISOString();

export type Fitted =
  | { fits: true; change: PendingChange; bytes: number; slimmedFrom?: number }
  | { fits: false; change: PendingChange; bytes: number };

/**
 * Fits a change into one EventBridge entry. Too large with its spec, it travels without it (the workflow re-reads
 * the object, so only what names the AWS resources must travel); too large even then, it does not fit (and is
 * reported with its full size).
 */
export function fitEntry(full: PendingChange, eventBusName: string): Fitted {
  const sizeOf = (c: PendingChange) => entrySize(entryOf(c, eventBusName, SENT_AT_PLACEHOLDER));
  const bytes = sizeOf(full);
  if (bytes <= MAX_ENTRY_BYTES) return { fits: true, change: full, bytes };
  const slim = withoutSpec(full);
  const slimBytes = sizeOf(slim);
  if (slimBytes <= MAX_ENTRY_BYTES) return { fits: true, change: slim, bytes: slimBytes, slimmedFrom: bytes };
  return { fits: false, change: full, bytes };
}

export type EntryOutcome = { ok: true; eventId?: string } | { ok: false; error: string };

/** Each entry's fate, from the PutEvents answer (or the error the whole call failed with). */
export function entryOutcomes(count: number, result: PutEventsResult | undefined, callError: unknown): EntryOutcome[] {
  return Array.from({ length: count }, (_, i): EntryOutcome => {
    if (callError) return { ok: false, error: describe(callError) };
    const r = result?.Entries?.[i];
    if (r?.ErrorCode) return { ok: false, error: `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim() };
    // Without per-entry results the count is all we have: a non-zero count fails the whole batch.
    if (!r && (result?.FailedEntryCount ?? 0) > 0) return { ok: false, error: 'FailedEntryCount without entry results' };
    return { ok: true, eventId: r?.EventId };
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
