// Leader election on a coordination.k8s.io/v1 Lease, the way client-go does it: a holder renews every retry
// period; a candidate takes the Lease over only when it has not seen it change for a whole lease duration (its
// own clock, never the holder's timestamps); every write is guarded by resourceVersion. A leader that cannot
// renew within the renew deadline steps down before anyone else may take over. Releasing on shutdown lets the
// standby take over at once.
import { httpStatusOf } from '../core/kube/instancegroups.js';
import type { KubeRest } from '../core/kube/rest.js';
import type { Logger } from '../core/log/index.js';

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; [key: string]: unknown };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [key: string]: unknown;
  };
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export const microTime = (date = new Date()) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface LeaderElectorOptions {
  rest: KubeRest;
  name: string;
  namespace: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  logger: Logger;
}

export class LeaderElector {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private lastRenew = 0;
  private lastErrorLog = -Infinity;
  private suppressed = 0;
  /** The holder record last seen, and when (our clock) it last changed. */
  private observed: { record: string; at: number } | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops campaigning; with release, a leader gives the Lease up so a standby takes over immediately. */
  async stop(options: { release: boolean } = { release: true }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const wasLeading = this.leading;
    this.setLeading(false);
    if (wasLeading && options.release) await this.release().catch((error: unknown) => this.options.logger.warn('could not release the lease', { error }));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const jitter = this.leading ? 1 : 1 + 0.2 * Math.random();
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule(this.options.retryPeriodMs);
      });
    }, ms * jitter);
  }

  private async tick(): Promise<void> {
    let acquired = false;
    try {
      acquired = await this.tryAcquireOrRenew();
    } catch (error) {
      // Every retry period while the API server is away: log the first failure, then one line every 10 s.
      const at = performance.now();
      if (at - this.lastErrorLog >= 10_000) {
        this.options.logger.warn('lease request failed', { lease: this.options.name, failuresSinceLastLog: this.suppressed, error });
        this.lastErrorLog = at;
        this.suppressed = 0;
      } else this.suppressed++;
    }
    if (this.stopped) return;
    const now = performance.now();
    if (acquired) {
      this.lastRenew = now;
      this.setLeading(true);
    } else if (this.leading && now - this.lastRenew > this.options.renewDeadlineMs) {
      this.options.logger.warn('could not renew the lease within the renew deadline; stepping down', { lease: this.options.name });
      this.setLeading(false);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.logger.info(leading ? 'became leader' : 'stopped leading', { lease: this.options.name, identity: this.options.identity });
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`;
    return name ? `${base}/${name}` : base;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { rest, name, namespace, identity, leaseDurationMs } = this.options;
    const now = microTime();
    const durationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
    let lease: Lease;
    try {
      lease = await rest.get<Lease>(this.path(name));
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
      try {
        await rest.request('POST', this.path(), {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
        return true;
      } catch (createError) {
        if (httpStatusOf(createError) === 409) return false;
        throw createError;
      }
    }

    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = `${holder}|${spec.renewTime ?? ''}|${spec.leaseDurationSeconds ?? ''}`;
    const seenAt = performance.now();
    if (this.observed?.record !== record) this.observed = { record, at: seenAt };
    const theirDurationMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && holder !== identity && this.observed.at + theirDurationMs > seenAt) return false;

    const mine = holder === identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      // metadata.resourceVersion makes this a compare-and-swap: a concurrent writer gets 409.
      await rest.request('PUT', this.path(name), { body: lease });
      return true;
    } catch (error) {
      if (httpStatusOf(error) === 409) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const { rest, name, identity } = this.options;
    const lease = await rest.get<Lease>(this.path(name));
    if (lease.spec?.holderIdentity !== identity) return;
    const { holderIdentity: _released, ...others } = lease.spec;
    lease.spec = { ...others, leaseDurationSeconds: 1, renewTime: microTime() };
    await rest.request('PUT', this.path(name), { body: lease });
    this.options.logger.info('released the lease', { lease: name });
  }
}
