import { jest } from '@jest/globals';
import { MAX_ENTRY_BYTES, type InstanceGroupChange, type PutEventsEntry } from '../../../core/events/index.js';
import { createLogger } from '../../../core/log/index.js';
import type { PendingChange } from '../../../in-cluster-relay/decide.js';
import { createRelayMetrics } from '../../../in-cluster-relay/metrics.js';
import type { PutEventsFn, PutEventsResult } from '../../../in-cluster-relay/eventbridge.js';
import { Publisher, type Delivered } from '../../../in-cluster-relay/publisher.js';
import { REFERENCE_SAMPLES, loadManifest } from '../../support/fixtures.js';

const spec = loadManifest(REFERENCE_SAMPLES.eksCf).spec;
const logLines: string[] = [];
const logger = createLogger({ component: 'test' }, { sink: (l) => logLines.push(l), level: 'debug' });

function change(i: number, overrides: Partial<PendingChange> = {}): PendingChange {
  return {
    version: 1,
    cluster: { name: 'c', defaults: {} },
    group: { namespace: 'ns', name: `g${i}`, uid: `uid-${i}`, generation: 1, resourceVersion: String(100 + i) },
    provisioner: 'eks-cf',
    operation: 'apply',
    reason: 'created',
    attempt: 1,
    spec,
    ...overrides,
  };
}

const ok = (entries: PutEventsEntry[]): PutEventsResult => ({
  FailedEntryCount: 0,
  Entries: entries.map((_, i) => ({ EventId: `id-${i}` })),
});

/** A stub PutEvents recording every call; `respond` decides each call's fate. */
function stub(respond: (entries: PutEventsEntry[], call: number) => PutEventsResult | Error = ok) {
  const calls: PutEventsEntry[][] = [];
  const fn: PutEventsFn = async (entries) => {
    calls.push(entries);
    await new Promise((r) => setTimeout(r, 1));
    const out = respond(entries, calls.length);
    if (out instanceof Error) throw out;
    return out;
  };
  return { fn, calls };
}

const detailOf = (e: PutEventsEntry) => JSON.parse(e.Detail) as InstanceGroupChange;

function publisher(fn: PutEventsFn, extra: Partial<ConstructorParameters<typeof Publisher>[0]> = {}) {
  const delivered: Delivered[] = [];
  const metrics = createRelayMetrics();
  const p = new Publisher({
    putEvents: fn,
    eventBusName: 'bus',
    backoff: { initialMs: 5, maxMs: 20 },
    giveUpAfter: 3,
    logger,
    metrics,
    onDelivered: (d) => delivered.push(d),
    ...extra,
  });
  return { p, delivered, metrics };
}

describe('publish', () => {
  afterEach(() => (logLines.length = 0));

  it('sends in batches of at most 10 entries', async () => {
    const s = stub();
    const { p, delivered } = publisher(s.fn, { concurrency: 1 });
    for (let i = 0; i < 25; i++) expect(p.enqueue(change(i))).toBe('queued');
    expect(await p.drain(2000)).toBe(0);
    expect(s.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(delivered).toHaveLength(25);
    const first = detailOf(s.calls[0]![0]!);
    expect(first.sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(s.calls.flat().every((e) => e.EventBusName === 'bus' && e.Source === 'instancemgr.keikoproj.io')).toBe(true);
  });

  it('keeps each call under 256 KB', async () => {
    const s = stub();
    const big = { ...spec, bootstrapArguments: 'x'.repeat(60_000) } as typeof spec;
    const { p } = publisher(s.fn, { concurrency: 1 });
    for (let i = 0; i < 10; i++) p.enqueue(change(i, { spec: big }));
    expect(await p.drain(2000)).toBe(0);
    for (const call of s.calls) {
      const bytes = call.reduce((n, e) => n + Buffer.byteLength(e.Detail) + e.Source.length + e.DetailType.length, 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(s.calls.length).toBeGreaterThanOrEqual(3);
    expect(s.calls.flat()).toHaveLength(10);
  });

  it('resends only the entries EventBridge rejected', async () => {
    const s = stub((entries, call) => {
      if (call > 1) return ok(entries);
      // First call: entries 2 and 7 fail.
      return {
        FailedEntryCount: 2,
        Entries: entries.map((_, i) => (i === 2 || i === 7 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `id-${i}` })),
      };
    });
    const { p, delivered, metrics } = publisher(s.fn, { concurrency: 1, random: () => 0.5 });
    for (let i = 0; i < 10; i++) p.enqueue(change(i));
    expect(await p.drain(2000)).toBe(0);
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]!.map((e) => detailOf(e).group.name)).toEqual(['g2', 'g7']);
    expect(delivered.map((d) => d.change.group.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `g${i}`).sort());
    expect(delivered.find((d) => d.change.group.name === 'g2')!.sends).toBe(2);
    expect(metrics.failedEntries.total()).toBe(2);
    expect(metrics.putEventsCalls.get({ result: 'partial' })).toBe(1);
  });

  it('a failed call resends the whole batch with backoff; an entry that keeps failing is counted undeliverable and kept', async () => {
    let down = true;
    const s = stub((entries) => (down ? new Error('connect ECONNREFUSED') : ok(entries)));
    const { p, delivered, metrics } = publisher(s.fn);
    p.enqueue(change(1));
    p.enqueue(change(2));
    // giveUpAfter 3, backoff 5..20 ms: soon both are undeliverable (and still queued).
    for (let i = 0; i < 200 && metrics.undeliverable.total() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(p.size).toBe(2);
    expect(metrics.undeliverable.total()).toBe(2);
    expect(logLines.some((l) => l.includes('undeliverable'))).toBe(true);
    down = false;
    // The resync makes them due immediately.
    p.retryNow();
    expect(await p.drain(2000)).toBe(0);
    expect(delivered.map((d) => d.change.group.name).sort()).toEqual(['g1', 'g2']);
    expect(metrics.published.get({ operation: 'apply' })).toBe(2);
  });

  it('backs off exponentially between resends', async () => {
    // Fake timers (performance.now included): the gaps are the scheduled pauses, not what a loaded machine allows.
    jest.useFakeTimers();
    try {
      const times: number[] = [];
      const s = stub((entries, call) => {
        times.push(performance.now());
        return call < 5 ? new Error('throttled') : ok(entries);
      });
      const { p } = publisher(s.fn, { backoff: { initialMs: 40, maxMs: 10_000 }, giveUpAfter: 100, random: () => 0.5 });
      p.enqueue(change(1));
      await jest.advanceTimersByTimeAsync(2_000);
      expect(p.size).toBe(0);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // 40, 80, 160, 320 ms (jitter pinned to 1.0x), each plus the stub's 1 ms answer.
      expect(gaps).toHaveLength(4);
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(40 * 2 ** i * 0.9);
        expect(gap).toBeLessThanOrEqual(40 * 2 ** i * 1.1 + 2);
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('drops exact duplicates and superseded generations; keeps the newest', async () => {
    const s = stub();
    const { p, delivered } = publisher(s.fn);
    expect(p.enqueue(change(1))).toBe('queued');
    expect(p.enqueue(change(1))).toBe('duplicate');
    const gen2 = change(1, { group: { ...change(1).group, generation: 2 }, reason: 'updated' });
    expect(p.enqueue(gen2)).toBe('queued');
    expect(p.enqueue(change(1))).toBe('stale');
    // A delete of the same group is a different slot: both go.
    expect(p.enqueue(change(1, { operation: 'delete', reason: 'deleted', group: { ...change(1).group, generation: 3 } }))).toBe('queued');
    expect(await p.drain(2000)).toBe(0);
    expect(delivered.map((d) => `${d.change.group.generation}/${d.change.operation}`)).toEqual(['2/apply', '3/delete']);
  });

  it('DroppedChange: sends a change over 256 KB without its spec, keeping what names the AWS resources', async () => {
    const s = stub();
    const oversize: number[] = [];
    const { p } = publisher(s.fn, { onOversize: (_c, bytes) => oversize.push(bytes) });
    const section = (spec as any)['eks-cf'];
    const huge = { ...spec, 'eks-cf': { ...section, configuration: { ...section.configuration, bootstrapArguments: 'x'.repeat(MAX_ENTRY_BYTES) } } } as typeof spec;
    expect(p.enqueue(change(1, { spec: huge }))).toBe('queued');
    await p.drain(1000);
    expect(oversize).toEqual([]);
    const sent = detailOf(s.calls[0]![0]!);
    expect(sent.specOmitted).toBe(true);
    expect(sent.spec).toEqual({ provisioner: 'eks-cf', 'eks-cf': { configuration: { clusterName: section.configuration.clusterName } } });
  });

  it('refuses an entry over 256 KB even without its spec, counts it and reports it', async () => {
    const s = stub();
    const oversize: number[] = [];
    const { p, metrics } = publisher(s.fn, { onOversize: (_c, bytes) => oversize.push(bytes) });
    const section = (spec as any)['eks-cf'];
    const huge = { ...spec, 'eks-cf': { ...section, configuration: { ...section.configuration, clusterName: 'x'.repeat(MAX_ENTRY_BYTES) } } } as typeof spec;
    expect(p.enqueue(change(1, { spec: huge }))).toBe('oversize');
    expect(p.size).toBe(0);
    expect(metrics.oversize.total()).toBe(1);
    expect(oversize[0]).toBeGreaterThan(MAX_ENTRY_BYTES);
    expect(s.calls).toHaveLength(0);
  });

  it('clear() forgets what is not sent yet', async () => {
    const s = stub(() => new Error('down'));
    const { p } = publisher(s.fn, { backoff: { initialMs: 10_000, maxMs: 10_000 } });
    p.enqueue(change(1));
    await new Promise((r) => setTimeout(r, 30));
    expect(p.size).toBe(1);
    p.clear();
    expect(p.size).toBe(0);
    p.stop();
  });

  it('measures forward overhead excluding the PutEvents round trip', async () => {
    const s = stub();
    const { p, delivered, metrics } = publisher(s.fn);
    p.enqueue(change(1), performance.now());
    await p.drain(1000);
    expect(delivered[0]!.roundTripMs).toBeGreaterThan(0);
    expect(metrics.forwardSeconds.observations).toBe(1);
  });
});
