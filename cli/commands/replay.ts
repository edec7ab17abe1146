// imctl replay <namespace>/<name>: acts on the group's latest failed execution (see replay-decision.ts), says what
// it did and why, and with --wait follows the execution to its end.
import {
  DescribeExecutionCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
  type StartExecutionOutput,
} from '@aws-sdk/client-sfn';
import { consoleUrl } from '../../core/names/index.js';
import { pollDelay } from '../poll.js';
import type { GlobalOptions, GroupRefArg } from '../args.js';
import type { Deps, Sender } from '../clients.js';
import { CliError } from '../errors.js';
import { fields, formatDuration, structured } from '../format.js';
import { describeExecution, findWorkflows, history, groupExecutions, requireWorkflows, workflowArn, type ExecutionInfo } from '../lookup.js';
import { changeFor, decideReplay, type ReplayDecision } from '../replay-decision.js';

export interface ReplayGroupOptions {
  dryRun: boolean;
  wait: boolean;
  timeoutMs: number;
  clusterName?: string;
}

interface Outcome {
  action: ReplayDecision['action'];
  dryRun: boolean;
  reason: string;
  execution?: { name: string; executionArn: string; consoleUrl: string; generation?: number; attempt?: number };
  replaces?: string;
  result?: Pick<ExecutionInfo, 'status' | 'error' | 'cause' | 'failedState'>;
}

/** The states entered so far (after the latest redrive, for a redriven execution), oldest first. */
export function statesEntered(events: HistoryEvent[], afterLatestRedrive: boolean): { id: number; name: string }[] {
  const from = afterLatestRedrive ? events.map((e) => e.type).lastIndexOf('ExecutionRedriven') : -1;
  return events
    .slice(from + 1)
    .filter((e) => /StateEntered$/.test(String(e.type)) && e.stateEnteredEventDetails?.name)
    .map((e) => ({ id: e.id ?? 0, name: e.stateEnteredEventDetails!.name! }));
}

/** Follows an execution to its end, reporting each state as it is entered. */
async function waitFor(deps: Deps, sfn: Sender, executionArn: string, opts: { timeoutMs: number; redriven: boolean; progress: (line: string) => void }): Promise<ExecutionInfo> {
  const deadline = deps.now().getTime() + opts.timeoutMs;
  const started = deps.now().getTime();
  let lastId = -1;
  for (let polls = 1; ; polls++) {
    const { status } = (await sfn.send(new DescribeExecutionCommand({ executionArn }))) as DescribeExecutionOutput;
    for (const state of statesEntered(await history(sfn, executionArn), opts.redriven)) {
      if (state.id <= lastId) continue;
      lastId = state.id;
      opts.progress(`  [${formatDuration(deps.now().getTime() - started)}] ${state.name}`);
    }
    if (status !== 'RUNNING') return describeExecution(sfn, { executionArn });
    if (deps.now().getTime() > deadline) {
      const info = await describeExecution(sfn, { executionArn });
      throw new CliError(`${info.name} is still running after ${Math.round(opts.timeoutMs / 1000)} s`, `imctl executions to follow it (console: ${info.consoleUrl})`);
    }
    await deps.sleep(pollDelay(polls));
  }
}

function render(o: Outcome, group: string): string {
  const verb = { redrive: o.dryRun ? 'Would redrive' : 'Redrove', start: o.dryRun ? 'Would start' : 'Started', refuse: 'Not replaying' }[o.action];
  const head = o.action === 'refuse' ? `${verb} ${group}.` : `${verb} ${o.execution!.name} for ${group}.`;
  const lines = [
    head,
    fields([
      ['why', o.reason],
      ['generation', o.execution?.generation !== undefined ? `${o.execution.generation} (attempt ${o.execution.attempt})` : undefined],
      ['replaces', o.replaces],
      ['console', o.execution?.consoleUrl],
    ]),
  ];
  return lines.join('\n');
}

function renderResult(r: NonNullable<Outcome['result']>): string {
  const lines = [`Result: ${r.status}`];
  if (r.status !== 'SUCCEEDED') lines.push(fields([['failed state', r.failedState], ['error', r.error], ['cause', r.cause]]));
  return lines.join('\n');
}

export async function replayGroup(deps: Deps, ref: GroupRefArg, opts: ReplayGroupOptions, options: GlobalOptions): Promise<number> {
  const groups = deps.groups();
  const key = { namespace: ref.namespace ?? options.namespace ?? groups.defaultNamespace, name: ref.name };
  const group = await groups.get(key);
  const sfn = deps.sfn();
  const { workflows, prefix } = group ? await findWorkflows(deps, options) : { workflows: new Map<string, string>(), prefix: '' };
  if (group) requireWorkflows(workflows, prefix, group.spec.provisioner);
  const list = group
    ? await groupExecutions(sfn, workflows, { ...key, uid: group.metadata.uid, provisioner: group.spec.provisioner, limit: options.limit })
    : [];
  const decision = decideReplay(group, list, key);
  const outcome: Outcome = { action: decision.action, dryRun: opts.dryRun, reason: decision.reason };

  if (decision.action === 'redrive') {
    const e = decision.execution;
    outcome.execution = { name: e.name, executionArn: e.executionArn, consoleUrl: e.consoleUrl, generation: e.generation, attempt: e.attempt };
    if (!opts.dryRun) await sfn.send(new RedriveExecutionCommand({ executionArn: e.executionArn }));
  } else if (decision.action === 'start') {
    const previous = decision.replaces.change?.cluster;
    const cluster = opts.clusterName ? { name: opts.clusterName, defaults: previous?.defaults ?? {} } : previous;
    if (!cluster) {
      throw new CliError(`${decision.replaces.name} does not say which cluster ${key.namespace}/${key.name} is in`, 'pass --cluster-name <the EKS cluster the relay runs in>');
    }
    const stateMachineArn = workflowArn(workflows, group!.spec.provisioner, decision.operation, prefix);
    const expectedArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${decision.executionName}`;
    outcome.execution = { name: decision.executionName, executionArn: expectedArn, consoleUrl: consoleUrl(expectedArn), generation: decision.generation, attempt: decision.attempt };
    outcome.replaces = decision.replaces.name;
    if (!opts.dryRun) {
      const input = JSON.stringify(changeFor(group!, decision, cluster, deps.now()));
      let out: StartExecutionOutput;
      try {
        out = (await sfn.send(new StartExecutionCommand({ stateMachineArn, name: decision.executionName, input }))) as StartExecutionOutput;
      } catch (error) {
        if (/ExecutionAlreadyExists/.test(String((error as Error).message) + String((error as Error).name))) {
          throw new CliError(`${decision.executionName} already exists (an execution older than --limit ${options.limit} shares its attempt)`, 'raise --limit and run replay again');
        }
        throw error;
      }
      if (out.executionArn) Object.assign(outcome.execution, { executionArn: out.executionArn, consoleUrl: consoleUrl(out.executionArn) });
    }
  }

  if (opts.wait && !opts.dryRun && outcome.execution && decision.action !== 'refuse') {
    if (options.output === 'table') deps.out(render(outcome, `${key.namespace}/${key.name}`) + '\nWaiting for it to end; states as they are entered:');
    const progress = options.output === 'table' ? deps.out : deps.err;
    const done = await waitFor(deps, sfn, outcome.execution.executionArn, { timeoutMs: opts.timeoutMs, redriven: decision.action === 'redrive', progress });
    outcome.result = { status: done.status, ...(done.error ? { error: done.error } : {}), ...(done.cause ? { cause: done.cause } : {}), ...(done.failedState ? { failedState: done.failedState } : {}) };
    if (options.output !== 'table') deps.out(structured(options.output, outcome)!);
    else deps.out(renderResult(outcome.result));
    return done.status === 'SUCCEEDED' ? 0 : 1;
  }
  deps.out(structured(options.output, outcome) ?? render(outcome, `${key.namespace}/${key.name}`));
  return decision.action === 'refuse' ? 1 : 0;
}
