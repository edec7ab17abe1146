// EMULATION (docs/emulation.md): moto publishes no "CloudFormation Stack Status Change" events. This watcher lists
// moto's stacks, and for every stack whose status changed since the last look it builds the event CloudFormation
// documents for EventBridge (source aws.cloudformation, detail stack-id and status-details) and delivers it to
// the target of EksCfStackEventsRule. AWS also sends *_IN_PROGRESS statuses; moto never shows one (it settles a
// stack within the API call) and the target ignores them, so they are left out.
import { ListStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../../core/log/index.js';
import type { StackStatusChangeEvent } from '../../functions/eks-cf/stack-events.js';

export interface StackStatus {
  stackId: string;
  status: string;
  reason?: string;
}

/** The events for what changed between two looks (statuses by stack ID); the first look only records. */
export function statusChanges(previous: Map<string, string> | undefined, now: StackStatus[], region: string, account: string): StackStatusChangeEvent[] {
  if (!previous) return [];
  return now
    .filter((s) => previous.get(s.stackId) !== s.status && !s.status.endsWith('_IN_PROGRESS'))
    .map((s) => ({
      version: '0',
      id: randomUUID(),
      'detail-type': 'CloudFormation Stack Status Change',
      source: 'aws.cloudformation',
      account,
      time: new Date().toISOString(),
      region,
      resources: [s.stackId],
      detail: { 'stack-id': s.stackId, 'status-details': { status: s.status, 'status-reason': s.reason ?? '' } },
    }));
}

export interface StackEventWatcherOptions {
  cloudformation: CloudFormationClient;
  deliver: (event: StackStatusChangeEvent) => Promise<unknown>;
  intervalMs?: number;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  region?: string;
  account?: string;
  logger?: Logger;
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function startStackEventWatcher(options: StackEventWatcherOptions): { stop(): Promise<void> } {
  const log = options.logger ?? createLogger({ component: 'local-cfn-events' });
  let seen: Map<string, string> | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const current: StackStatus[] = [];
        let NextToken: string | undefined;
        do {
          const page = await options.cloudformation.send(new ListStacksCommand({ NextToken }));
          for (const s of page.StackSummaries ?? []) {
            if (s.StackId && s.StackStatus) current.push({ stackId: s.StackId, status: s.StackStatus, reason: s.StackStatusReason });
          }
          NextToken = page.NextToken;
        } while (NextToken);
        const events = statusChanges(seen, current, options.region ?? 'us-west-2', options.account ?? '123456789012');
        // EventBridge invokes the target once per event, concurrently; a few at a time keeps moto answering.
        await forEachLimited(events, options.concurrency ?? 8, (event) =>
          options.deliver(event).catch((error: unknown) => log.warn('stack status event not handled', { stackId: event.detail['stack-id'], error: (error as Error).message })),
        );
        seen = new Map(current.map((s) => [s.stackId, s.status]));
      } catch (error) {
        log.warn('listing stacks failed', { error: (error as Error).message });
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
