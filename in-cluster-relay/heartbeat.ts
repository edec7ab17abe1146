// While this replica leads, a "Relay Heartbeat" event every HEARTBEAT_PERIOD: the AWS side counts them
// (start-workflow's RelayHeartbeats metric) and alarms when they stop, which catches a relay that crashed, lost its
// credentials or its route to EventBridge even when no InstanceGroup changes. A failed beat is logged and counted;
// the next one is the retry.
import { heartbeatEntry } from '../core/events/index.js';
import type { Logger } from '../core/log/index.js';
import type { RelayMetrics } from './metrics.js';
import type { PutEventsFn } from './eventbridge.js';

export interface HeartbeatOptions {
  periodMs: number;
  clusterName: string;
  identity: string;
  eventBusName: string;
  putEvents: PutEventsFn;
  logger: Logger;
  metrics: Pick<RelayMetrics, 'heartbeats'>;
  now?: () => Date;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  /** Beats every period from now on (the first after one period); calling it again while running changes nothing. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.options.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends one heartbeat now; never throws. */
  beat(): Promise<void> {
    this.inFlight ??= this.send().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async send(): Promise<void> {
    const { clusterName, identity, eventBusName, putEvents, logger, metrics } = this.options;
    const sentAt = (this.options.now?.() ?? new Date()).toISOString();
    try {
      const out = await putEvents([heartbeatEntry({ version: 1, cluster: { name: clusterName }, identity, sentAt }, eventBusName)]);
      if (out.FailedEntryCount) throw new Error(`${out.Entries?.[0]?.ErrorCode ?? 'rejected'}: ${out.Entries?.[0]?.ErrorMessage ?? ''}`.trim());
      metrics.heartbeats.inc({ result: 'ok' });
      logger.debug('heartbeat sent', { sentAt });
    } catch (error) {
      metrics.heartbeats.inc({ result: 'error' });
      logger.warn('heartbeat not delivered; the next one retries', { error });
    }
  }
}
