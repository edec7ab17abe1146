// Resync passes: while leading, every object is looked at again, so that changes the watch missed, executions
// that never reported and retryable failures are caught. A pass runs on taking the lead and then every
// RESYNC_PERIOD (jittered ±10 % so that replicas of many clusters do not list in step).
//
// A replica that leads before its informers have listed anything uses their first list as its first pass, instead
// of listing every group twice at start-up (with 10,000 groups, that second list is most of the memory peak).
import type { KubeRest } from '../core/kube/rest.js';
import type { Logger } from '../core/log/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { DecideMode } from './decide.js';
import { listInstanceGroups } from './informer.js';
import type { RelayMetrics } from './metrics.js';

export type PassMode = 'initial' | 'resync';

export interface ResyncOptions {
  rest: KubeRest;
  namespaces: string[];
  pageSize: number;
  periodMs: number;
  /** A failed initial pass is tried again after this long. */
  initialRetryMs: number;
  /** Leading and not stopping. */
  isActive: () => boolean;
  offer: (group: InstanceGroup, mode: DecideMode, observedAt: number) => void;
  /** A complete pass saw these uids. */
  afterPass: (seen: Set<string>) => void;
  /** Changes waiting to be delivered (for the log). */
  pending: () => number;
  logger: Logger;
  metrics: RelayMetrics;
}

export class ResyncPasses {
  private firstListIsInitialPass = false;
  private running: Promise<void> | undefined;
  private initialRetry: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ResyncOptions) {}

  /** How an object from an informer's list counts: part of the first pass, or an ordinary watch event. */
  get listedMode(): DecideMode {
    return this.firstListIsInitialPass ? 'initial' : 'watch';
  }

  /** Leadership taken: the first pass is the informers' first list if none has been delivered yet, else a list now. */
  leadershipTaken(informersDeliveredNothing: boolean): void {
    if (informersDeliveredNothing) this.firstListIsInitialPass = true;
    else void this.run('initial');
  }

  leadershipLost(): void {
    this.firstListIsInitialPass = false;
    if (this.initialRetry) clearTimeout(this.initialRetry);
  }

  /** An informer completed a list; when all have, and they stood in for the first pass, that pass is done. */
  informerListed(allSynced: boolean): void {
    if (!this.firstListIsInitialPass || !allSynced) return;
    this.firstListIsInitialPass = false;
    this.options.metrics.resyncs.inc({ result: 'ok' });
    this.options.logger.debug('resync pass done', { mode: 'initial', via: 'first list', pending: this.options.pending() });
  }

  /** Runs a pass now (if active); a pass already running is joined rather than doubled. */
  run(mode: PassMode): Promise<void> {
    if (!this.options.isActive()) return Promise.resolve();
    this.running ??= this.pass(mode).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  startPeriodic(): void {
    if (this.stopped) return;
    this.periodic = setTimeout(() => {
      void this.run('resync').finally(() => this.startPeriodic());
    }, this.options.periodMs * (0.9 + 0.2 * Math.random()));
  }

  /** Stops the timers; resolves when a pass in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.periodic) clearTimeout(this.periodic);
    if (this.initialRetry) clearTimeout(this.initialRetry);
    await this.running;
  }

  private async pass(mode: PassMode): Promise<void> {
    const { rest, pageSize, metrics, logger } = this.options;
    try {
      const seen = new Set<string>();
      for (const namespace of this.options.namespaces.length ? this.options.namespaces : [undefined]) {
        await listInstanceGroups(rest, namespace, pageSize, (items) => {
          const observedAt = performance.now();
          for (const group of items) {
            seen.add(group.metadata.uid);
            this.options.offer(group, mode, observedAt);
          }
        });
      }
      this.options.afterPass(seen);
      metrics.resyncs.inc({ result: 'ok' });
      logger.debug('resync pass done', { mode, groups: seen.size, pending: this.options.pending() });
    } catch (error) {
      metrics.resyncs.inc({ result: 'error' });
      logger.warn('resync pass failed; trying again', { mode, error });
      if (mode === 'initial' && !this.stopped) this.initialRetry = setTimeout(() => void this.run('initial'), this.options.initialRetryMs);
    }
  }
}
