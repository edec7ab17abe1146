// imctl replay --since <time> [--until <time>]: EventBridge StartReplay of the archive for a window. Replayed events
// go through the same rules; executions are named per (uid, generation, operation, attempt), so an event whose
// execution already exists starts nothing, and a workflow started for an older generation re-reads the group
// and ends "superseded" without applying the old spec.
import { randomBytes } from 'node:crypto';
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  ListArchivesCommand,
  StartReplayCommand,
  type DescribeArchiveResponse,
  type DescribeReplayResponse,
  type DescribeRuleResponse,
  type ListArchivesResponse,
  type StartReplayResponse,
} from '@aws-sdk/client-eventbridge';
import type { GlobalOptions } from '../args.js';
import type { Deps } from '../clients.js';
import { CliError } from '../errors.js';
import { fields, formatTime, structured } from '../format.js';
import { stageOf } from '../lookup.js';
import { pollDelay } from '../poll.js';
import { readDeployment } from '../stack.js';

/** Archives an installation creates: serverless.yml's instance-manager-<stage>-changes, the local control plane's instance-manager. */
const OUR_ARCHIVE = /^instance-manager(-[A-Za-z0-9-]+-changes)?$/;

/**
 * --archive, else the stack's EventArchiveName (--stage), else $IM_EVENT_ARCHIVE, else the one archive in the
 * region that an installation created; several (one per stage) need --stage or --archive.
 */
export async function archiveNameFor(deps: Deps, explicit: string | undefined, options: GlobalOptions): Promise<string> {
  if (explicit) return explicit;
  const stage = stageOf(options, deps.env);
  if (stage) {
    const deployment = await readDeployment(deps.cloudformation(), stage, options.region);
    if (!deployment.archiveName) throw new CliError(`stack ${deployment.stackName} has no EventArchiveName output`, 'pass --archive');
    return deployment.archiveName;
  }
  if (deps.env.IM_EVENT_ARCHIVE) return deps.env.IM_EVENT_ARCHIVE;
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = (await deps.events().send(new ListArchivesCommand({ NamePrefix: 'instance-manager', ...(NextToken ? { NextToken } : {}) }))) as ListArchivesResponse;
    names.push(...(page.Archives ?? []).map((a) => a.ArchiveName ?? '').filter((n) => OUR_ARCHIVE.test(n)));
    NextToken = page.NextToken;
  } while (NextToken);
  if (names.length === 1) return names[0]!;
  throw new CliError(
    names.length ? `several instance-manager archives in this region: ${names.join(', ')}` : 'no instance-manager archive in this region (instance-manager-<stage>-changes)',
    names.length ? 'name the deployment with --stage <stage>, or pass --archive' : 'check --region, pass --stage <stage> or --archive (aws events list-archives shows them)',
  );
}

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
  const archiveName = await archiveNameFor(deps, opts.archive, options);
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
    deps.out(structured(options.output, { ...plan, dryRun: true }) ?? describe('-'));
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
    for (let polls = 1; !ENDED.includes(state); polls++) {
      if (deps.now().getTime() > deadline) throw new CliError(`replay ${name} is still ${state} after ${Math.round(opts.timeoutMs / 1000)} s`, `aws events describe-replay --replay-name ${name}`);
      await deps.sleep(pollDelay(polls));
      const d = (await events.send(new DescribeReplayCommand({ ReplayName: name }))) as DescribeReplayResponse;
      const next = String(d.State ?? state);
      if (next !== state) deps.err(`replay ${name}: ${next}${d.StateReason ? ` (${d.StateReason})` : ''}`);
      state = next;
      reason = d.StateReason;
    }
  }
  deps.out(structured(options.output, { ...plan, replayArn: started.ReplayArn, state, ...(reason ? { stateReason: reason } : {}) }) ?? describe(state, reason));
  return opts.wait && state !== 'COMPLETED' ? 1 : 0;
}
