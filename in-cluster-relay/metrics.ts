// A few Prometheus metrics in the text exposition format; no dependency needed for counters, gauges and
// one histogram kind.

type Labels = Record<string, string>;

const labelKey = (labels: Labels = {}) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract lines(): string[];
  header(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
  }
}

export class Counter extends Metric {
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels?: Labels, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** Sum over every label combination. */
  total(): number {
    let sum = 0;
    for (const v of this.values.values()) sum += v;
    return sum;
  }
  lines(): string[] {
    if (this.values.size === 0) return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Gauge extends Metric {
  private readonly values = new Map<string, number>();
  constructor(
    name: string,
    help: string,
    private readonly collect?: () => number,
    type: 'gauge' | 'counter' = 'gauge',
  ) {
    super(name, help, type);
  }
  set(value: number, labels?: Labels): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels?: Labels): number {
    if (this.collect && !labels) return this.collect();
    return this.values.get(labelKey(labels)) ?? 0;
  }
  lines(): string[] {
    if (this.collect) return [`${this.name} ${this.collect()}`];
    if (this.values.size === 0) return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Histogram extends Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    name: string,
    help: string,
    readonly buckets: number[],
  ) {
    super(name, help, 'histogram');
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
  get observations(): number {
    return this.count;
  }
  lines(): string[] {
    return [
      ...this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Every metric the relay exposes. */
export function createRelayMetrics() {
  const m = {
    leader: new Gauge('relay_leader', '1 while this replica holds the Lease and forwards changes.'),
    watchEvents: new Counter('relay_watch_events_total', 'Watch events received, by type (ADDED, MODIFIED, DELETED, BOOKMARK, LISTED).'),
    watchRestarts: new Counter('relay_watch_restarts_total', 'Watch restarts after an error.'),
    watchRelists: new Counter('relay_watch_relists_total', 'Full relists after the resourceVersion expired (410 Gone).'),
    watchLastActivity: new Gauge('relay_watch_last_activity_timestamp_seconds', 'When the watch last showed a sign of life.'),
    changes: new Counter('relay_changes_total', 'Changes decided to forward, by operation and reason.'),
    published: new Counter('relay_events_published_total', 'Events acknowledged by EventBridge, by operation.'),
    putEventsCalls: new Counter('relay_putevents_calls_total', 'PutEvents calls, by result (ok, partial, error).'),
    failedEntries: new Counter('relay_putevents_failed_entries_total', 'Entries EventBridge rejected or that were lost with a failed call.'),
    undeliverable: new Counter('relay_events_undeliverable_total', 'Events that exhausted their send attempts; they stay queued and are re-sent at the next resync.'),
    oversize: new Counter('relay_events_oversize_total', 'Changes larger than the 256 KB EventBridge entry limit; not sent.'),
    pending: new Gauge('relay_events_pending', 'Events waiting to be sent or re-sent.'),
    finalizers: new Counter('relay_finalizer_patches_total', 'Finalizer additions, by result.'),
    resyncs: new Counter('relay_resyncs_total', 'Resync passes, by result.'),
    heartbeats: new Counter('relay_heartbeats_total', 'Heartbeat events sent while leading, by result (ok, error).'),
    putEventsSeconds: new Histogram('relay_putevents_duration_seconds', 'PutEvents round trip.', LATENCY_BUCKETS),
    forwardSeconds: new Histogram(
      'relay_forward_overhead_seconds',
      'From the watch event to PutEvents acknowledged, minus the PutEvents round trip.',
      LATENCY_BUCKETS,
    ),
    rss: new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss()),
    // What the resident memory is made of (bench/README.md, relay memory): the JS heap and memory outside it (buffers).
    heapUsed: new Gauge('nodejs_heap_size_used_bytes', 'JavaScript heap in use, in bytes.', () => process.memoryUsage().heapUsed),
    heapTotal: new Gauge('nodejs_heap_size_total_bytes', 'JavaScript heap reserved, in bytes.', () => process.memoryUsage().heapTotal),
    external: new Gauge('nodejs_external_memory_bytes', 'Memory of JavaScript objects held outside the heap (buffers), in bytes.', () => process.memoryUsage().external),
    cpu: new Gauge(
      'process_cpu_seconds_total',
      'User and system CPU time spent in seconds.',
      () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      },
      'counter',
    ),
  };
  return {
    ...m,
    render(): string {
      return `${Object.values(m)
        .flatMap((metric) => [...metric.header(), ...metric.lines()])
        .join('\n')}\n`;
    },
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
