// imctl replay --since <time> [--until <time>]: EventBridge StartReplay of the archive for a window. Replayed events
// go through the same rules; executions are named per (uid, generation, operation, attempt), so an event whose
// execution already exists starts nothing, and a workflow started for an older generation re-reads the group
// and ends "superseded" without applying the old spec.
import { randomBytes } from 'node:crypto';
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  StartReplayCommand,
  type DescribeArchiveResponse,
  type DescribeReplayResponse,
  type DescribeRuleResponse,
  type StartReplayResponse,
} from '@aws-sdk/client-eventbridge';
import type { GlobalOptions } from '../args.js';
import type { Deps } from '../clients.js';
import { CliError } from '../errors.js';
import { fields, formatTime, json } from '../format.js';

export const DEFAULT_ARCHIVE = 'instance-manager';

export interface ReplayArchiveOptions {
  since: Date;
  until: Date;
  archive?: string;
  rules: string[];
  dryRun: boolean;
  wait: boolean;
  timeoutMs: number;
}

/** imctl-20261127T132001Z-1a2b: unique, sortable, within the 64 characters EventBridge allows. */
export function replayName(now: Date, random = randomBytes(2).toString('hex')): string {
  return `imctl-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}-${random}`;
}

const busNameOf = (arn: string) => arn.split(':event-bus/')[1] ?? arn;
const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED'];

export async function replayArchive(deps: Deps, opts: ReplayArchiveOptions, options: GlobalOptions): Promise<number> {
  const events = deps.events();
  const archiveName = opts.archive ?? deps.env.IM_EVENT_ARCHIVE ?? DEFAULT_ARCHIVE;
  let archive: DescribeArchiveResponse;
  try {
    archive = (await events.send(new DescribeArchiveCommand({ ArchiveName: archiveName }))) as DescribeArchiveResponse;
  } catch (error) {
    if (/ResourceNotFound|does not exist/.test(`${(error as Error).name} ${(error as Error).message}`)) {
      throw new CliError(`no EventBridge archive named ${archiveName}`, 'pass --archive or set IM_EVENT_ARCHIVE (aws events list-archives shows them)');
    }
    throw error;
  }
  const bus = archive.EventSourceArn!;
  const filterArns: string[] = [];
  for (const rule of opts.rules) {
    const r = (await events.send(new DescribeRuleCommand({ Name: rule, EventBusName: busNameOf(bus) }))) as DescribeRuleResponse;
    filterArns.push(r.Arn!);
  }
  const name = replayName(deps.now());
  const plan = {
    replay: name,
    archive: archiveName,
    bus: busNameOf(bus),
    since: opts.since.toISOString(),
    until: opts.until.toISOString(),
    rules: opts.rules.length ? opts.rules : ['every rule on the bus'],
  };
  const describe = (state: string, reason?: string) =>
    [
      `${opts.dryRun ? 'Would replay' : 'Replaying'} archive ${archiveName} onto bus ${plan.bus}: events from ${formatTime(opts.since)} to ${formatTime(opts.until)}.`,
      fields([
        ['replay', opts.dryRun ? undefined : name],
        ['state', opts.dryRun ? undefined : state],
        ['reason', reason],
        ['rules', plan.rules.join(', ')],
        ['note', 'executions already started for an event are not started again; events for older generations end "superseded"'],
      ]),
    ].join('\n');

  if (opts.dryRun) {
    deps.out(options.output === 'json' ? json({ ...plan, dryRun: true }) : describe('-'));
    return 0;
  }
  const started = (await events.send(
    new StartReplayCommand({
      ReplayName: name,
      Description: `imctl replay --since ${plan.since} --until ${plan.until}`,
      EventSourceArn: archive.ArchiveArn!,
      EventStartTime: opts.since,
      EventEndTime: opts.until,
      Destination: { Arn: bus, ...(filterArns.length ? { FilterArns: filterArns } : {}) },
    }),
  )) as StartReplayResponse;
  let state = String(started.State ?? 'STARTING');
  let reason = started.StateReason;
  if (opts.wait) {
    const deadline = deps.now().getTime() + opts.timeoutMs;
    while (!ENDED.includes(state)) {
      if (deps.now().getTime() > deadline) throw new CliError(`replay ${name} is still ${state} after ${Math.round(opts.timeoutMs / 1000)} s`, `aws events describe-replay --replay-name ${name}`);
      await deps.sleep(1000);
      const d = (await events.send(new DescribeReplayCommand({ ReplayName: name }))) as DescribeReplayResponse;
      state = String(d.State ?? state);
      reason = d.StateReason;
    }
  }
  deps.out(options.output === 'json' ? json({ ...plan, replayArn: started.ReplayArn, state, ...(reason ? { stateReason: reason } : {}) }) : describe(state, reason));
  return opts.wait && state !== 'COMPLETED' ? 1 : 0;
}
