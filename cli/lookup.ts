// Shared lookups: the state machines of each workflow, and a group's executions with what their histories say.
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type GetExecutionHistoryOutput,
  type HistoryEvent,
  type ListExecutionsOutput,
  type ListStateMachinesOutput,
} from '@aws-sdk/client-sfn';
import { isInstanceGroupChange, type InstanceGroupChange, type Operation } from '../core/events/index.js';
import { consoleUrl, executionName } from '../core/names/index.js';
import { PROVISIONERS } from '../core/schema/openapi.js';
import type { InstanceGroup } from '../core/spec/types.js';
import { stateMachineArnsFromEnv, workflowKey } from '../core/workflows/state-machine-arns.js';
import type { GlobalOptions } from './args.js';
import type { Deps, Sender } from './clients.js';
import { CliError } from './errors.js';
import { analyseHistory, type StepFailure } from './history.js';
import { readDeployment, stackNameOf } from './stack.js';

export const DEFAULT_STATE_MACHINE_PREFIX = 'instance-manager-';

/** "<provisioner>/<operation>" → state machine ARN. */
export type Workflows = Map<string, string>;

export function stateMachinePrefix(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.IM_STATE_MACHINE_PREFIX ?? DEFAULT_STATE_MACHINE_PREFIX;
}

/**
 * Every workflow's state machine: ListStateMachines, names `<prefix>[<stage>-]<provisioner>-<operation>`: the local
 * control plane creates `instance-manager-eks-cf-apply`, a deployment `instance-manager-<stage>-eks-cf-apply`. An
 * exact `<prefix><provisioner>-<operation>` wins; several stages in one account need a prefix that names one
 * (--state-machine-prefix instance-manager-prod-). STATE_MACHINE_ARNS / STATE_MACHINE_ARN_* (the start-workflow
 * Lambda's settings) win over discovery.
 */
export async function discoverWorkflows(sfn: Sender, prefix: string, env: NodeJS.ProcessEnv): Promise<Workflows> {
  const candidates = new Map<string, { arn: string; stage: string }[]>();
  let nextToken: string | undefined;
  do {
    const page = (await sfn.send(new ListStateMachinesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) }))) as ListStateMachinesOutput;
    for (const m of page.stateMachines ?? []) {
      if (!m.name?.startsWith(prefix) || !m.stateMachineArn) continue;
      const rest = m.name.slice(prefix.length);
      for (const provisioner of PROVISIONERS) {
        const match = new RegExp(`^(?:([A-Za-z0-9_-]+)-)?${provisioner}-(apply|delete)$`).exec(rest);
        if (!match) continue;
        const key = workflowKey(provisioner, match[2] as Operation);
        candidates.set(key, [...(candidates.get(key) ?? []), { arn: m.stateMachineArn, stage: match[1] ?? '' }]);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const found: Workflows = new Map();
  for (const [key, list] of candidates) {
    const exact = list.find((c) => c.stage === '');
    if (exact) found.set(key, exact.arn);
    else if (list.length === 1) found.set(key, list[0]!.arn);
    else {
      throw new CliError(
        `several state machines run ${key}: ${list.map((c) => `${prefix}${c.stage}-…`).join(', ')}`,
        `name the stage with --state-machine-prefix (for example ${prefix}${list[0]!.stage}-) or IM_STATE_MACHINE_PREFIX`,
      );
    }
  }
  let configured;
  try {
    configured = stateMachineArnsFromEnv(env);
  } catch (error) {
    throw new CliError((error as Error).message, 'fix STATE_MACHINE_ARNS / STATE_MACHINE_ARN_*, or unset them to discover the state machines');
  }
  for (const [key, arn] of Object.entries(configured)) found.set(key, arn);
  return found;
}

export const stageOf = (options: Pick<GlobalOptions, 'stage'>, env: NodeJS.ProcessEnv) => options.stage ?? (env.IM_STAGE || undefined);

/**
 * The workflows to look at: with --stage (or IM_STAGE), the outputs of the deployed stack; otherwise discovery by
 * name. `prefix` is what error messages name.
 */
export async function findWorkflows(deps: Pick<Deps, 'sfn' | 'cloudformation' | 'env'>, options: GlobalOptions): Promise<{ workflows: Workflows; prefix: string }> {
  const stage = stageOf(options, deps.env);
  if (!stage) {
    const prefix = stateMachinePrefix(options.stateMachinePrefix, deps.env);
    return { workflows: await discoverWorkflows(deps.sfn(), prefix, deps.env), prefix };
  }
  const { workflows } = await readDeployment(deps.cloudformation(), stage, options.region);
  let configured;
  try {
    configured = stateMachineArnsFromEnv(deps.env);
  } catch (error) {
    throw new CliError((error as Error).message, 'fix STATE_MACHINE_ARNS / STATE_MACHINE_ARN_*, or unset them to use the stack outputs');
  }
  for (const [key, arn] of Object.entries(configured)) workflows.set(key, arn);
  return { workflows, prefix: `${stackNameOf(stage)}-` };
}

export function workflowArn(workflows: Workflows, provisioner: string, operation: Operation, prefix: string): string {
  const arn = workflows.get(workflowKey(provisioner, operation));
  if (!arn) {
    const known = [...workflows.keys()].join(', ') || 'none';
    throw new CliError(
      `no state machine named ${prefix}${provisioner}-${operation} (found workflows: ${known})`,
      'check the region and the Step Functions endpoint, pass --state-machine-prefix, or set STATE_MACHINE_ARNS',
    );
  }
  return arn;
}

/** Fails, naming what was looked for, when no workflow of the provisioner (or none at all) was found. */
export function requireWorkflows(workflows: Workflows, prefix: string, provisioner?: string): void {
  const keys = [...workflows.keys()].filter((k) => !provisioner || k.startsWith(`${provisioner}/`));
  if (keys.length) return;
  const wanted = provisioner ? `${prefix}${provisioner}-apply or ${prefix}${provisioner}-delete` : `${prefix}<provisioner>-<operation>`;
  throw new CliError(
    `no state machine named ${wanted} (found workflows: ${[...workflows.keys()].join(', ') || 'none'})`,
    'check the region and the Step Functions endpoint (AWS_ENDPOINT_URL_SFN; locally, is `npm start` running?), pass --state-machine-prefix, or set STATE_MACHINE_ARNS',
  );
}

export interface ExecutionInfo {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  provisioner?: string;
  operation: Operation;
  generation: number;
  attempt: number;
  status: string;
  startDate?: Date;
  stopDate?: Date;
  redriveCount: number;
  redrivable: boolean;
  error?: string;
  cause?: string;
  /** The failed step (FAILED, TIMED_OUT, ABORTED) or the current one (RUNNING). */
  failedState?: string;
  failedStep?: StepFailure;
  lastState?: { name: string; type: string };
  endedInFailState: boolean;
  consoleUrl: string;
  /** The InstanceGroupChange the execution was started with. */
  change?: InstanceGroupChange;
}

const NAME = /-[0-9a-f]{8}-g(\d+)-(apply|delete)(?:-a(\d+))?$/;

/** generation, operation and attempt from an execution name (core/names executionName), if it is one. */
export function parseExecutionName(name: string): { generation: number; operation: Operation; attempt: number } | undefined {
  const m = NAME.exec(name);
  return m ? { generation: Number(m[1]), operation: m[2] as Operation, attempt: m[3] ? Number(m[3]) : 1 } : undefined;
}

/** Does this execution name belong to the group (same uid), or, without a uid, could it? */
function nameMatches(item: ExecutionListItem, group: { namespace: string; name: string; uid?: string }): boolean {
  const parsed = item.name ? parseExecutionName(item.name) : undefined;
  if (!parsed) return false;
  if (group.uid) return executionName({ namespace: group.namespace, name: group.name, uid: group.uid, ...parsed }) === item.name;
  // The object is gone: compare the readable part (any uid), the input is checked afterwards.
  const readable = executionName({ namespace: group.namespace, name: group.name, uid: '', ...parsed }).replace(NAME, '');
  return item.name!.replace(NAME, '') === readable;
}

async function listExecutions(sfn: Sender, stateMachineArn: string, limit: number): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: Math.min(1000, limit - out.length), ...(nextToken ? { nextToken } : {}) }),
    )) as ListExecutionsOutput;
    out.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken && out.length < limit);
  return out;
}

export async function history(sfn: Sender, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false, ...(nextToken ? { nextToken } : {}) }),
    )) as GetExecutionHistoryOutput;
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

function parseChange(input: string | undefined): InstanceGroupChange | undefined {
  try {
    const value: unknown = input ? JSON.parse(input) : undefined;
    return isInstanceGroupChange(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** DescribeExecution, plus GetExecutionHistory unless it succeeded. */
export async function describeExecution(sfn: Sender, item: { executionArn: string; stateMachineArn?: string; name?: string }): Promise<ExecutionInfo> {
  const d = (await sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn }))) as DescribeExecutionOutput;
  const name = d.name ?? item.name ?? '';
  const change = parseChange(d.input);
  const parsed = parseExecutionName(name);
  const status = String(d.status ?? 'UNKNOWN');
  const analysis = status === 'SUCCEEDED' ? { endedInFailState: false } : analyseHistory(await history(sfn, d.executionArn!));
  const failedState = status === 'SUCCEEDED' ? undefined : (analysis.failedStep?.state ?? analysis.lastState?.name);
  return {
    name,
    executionArn: d.executionArn ?? item.executionArn!,
    stateMachineArn: d.stateMachineArn ?? item.stateMachineArn ?? '',
    ...(change ? { provisioner: change.provisioner, change } : {}),
    operation: change?.operation ?? parsed?.operation ?? 'apply',
    generation: change?.group.generation ?? parsed?.generation ?? 0,
    attempt: change?.attempt ?? parsed?.attempt ?? 1,
    status,
    ...(d.startDate ? { startDate: new Date(d.startDate) } : {}),
    ...(d.stopDate ? { stopDate: new Date(d.stopDate) } : {}),
    redriveCount: d.redriveCount ?? 0,
    redrivable: d.redriveStatus === 'REDRIVABLE',
    ...(d.error ? { error: d.error } : {}),
    ...(d.cause ? { cause: d.cause } : {}),
    ...(failedState ? { failedState } : {}),
    ...('failedStep' in analysis && analysis.failedStep ? { failedStep: analysis.failedStep } : {}),
    ...('lastState' in analysis && analysis.lastState ? { lastState: analysis.lastState } : {}),
    endedInFailState: analysis.endedInFailState,
    consoleUrl: consoleUrl(d.executionArn ?? item.executionArn!),
  };
}

export interface GroupExecutionsQuery {
  namespace: string;
  name: string;
  /** Known when the object exists: names are matched exactly. */
  uid?: string;
  /** Only these provisioners' state machines (default: every workflow found). */
  provisioner?: string;
  limit: number;
}

/** The group's executions, newest first, matched by name and confirmed by the input's group. */
export async function groupExecutions(sfn: Sender, workflows: Workflows, q: GroupExecutionsQuery): Promise<ExecutionInfo[]> {
  const machines = [...workflows.entries()].filter(([key]) => !q.provisioner || key.startsWith(`${q.provisioner}/`)).map(([, arn]) => arn);
  const out: ExecutionInfo[] = [];
  for (const stateMachineArn of [...new Set(machines)]) {
    const items = (await listExecutions(sfn, stateMachineArn, q.limit)).filter((i) => nameMatches(i, q));
    for (const item of items) {
      const info = await describeExecution(sfn, { ...item, executionArn: item.executionArn!, stateMachineArn });
      const g = info.change?.group;
      if (g && (g.namespace !== q.namespace || g.name !== q.name || (q.uid && g.uid !== q.uid))) continue;
      out.push(info);
    }
  }
  return out.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
}

export async function requireGroup(groups: { get(k: { namespace: string; name: string }): Promise<InstanceGroup | undefined> }, key: { namespace: string; name: string }) {
  const group = await groups.get(key);
  if (!group) throw new CliError(`InstanceGroup ${key.namespace}/${key.name} not found`, `kubectl get instancegroups -n ${key.namespace}`);
  return group;
}
