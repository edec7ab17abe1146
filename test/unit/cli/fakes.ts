// Stubs for the CLI's clients: an in-memory Step Functions and EventBridge answering the calls imctl makes, a
// group source, and captured output.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { Deps, GroupSource } from '../../../cli/clients.js';
import type { InstanceGroupChange } from '../../../core/events/index.js';
import { executionName } from '../../../core/names/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import { REFERENCE_SAMPLES, loadManifest } from '../../support/fixtures.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-west-2';
export const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

export function group(overrides: { namespace?: string; name?: string; uid?: string; generation?: number; status?: InstanceGroup['status']; deleting?: boolean } = {}): InstanceGroup {
  const manifest = loadManifest(REFERENCE_SAMPLES.eksCf);
  return {
    ...manifest,
    metadata: {
      name: overrides.name ?? 'hello-world',
      namespace: overrides.namespace ?? 'team-a',
      uid: overrides.uid ?? 'uid-1',
      generation: overrides.generation ?? 1,
      resourceVersion: '42',
      ...(overrides.deleting ? { deletionTimestamp: '2026-11-27T10:00:00Z' } : {}),
    },
    ...(overrides.status ? { status: overrides.status } : {}),
  };
}

export function changeOf(g: InstanceGroup, generation: number, attempt = 1, operation: 'apply' | 'delete' = 'apply'): InstanceGroupChange {
  return {
    version: 1,
    cluster: { name: 'my-eks-cluster', defaults: { subnets: ['subnet-default'] } },
    group: { namespace: g.metadata.namespace, name: g.metadata.name, uid: g.metadata.uid, generation, resourceVersion: '1' },
    provisioner: 'eks-cf',
    operation,
    reason: 'updated',
    attempt,
    spec: { ...g.spec, 'eks-cf': { ...g.spec['eks-cf']!, maxSize: 100 + generation } },
    sentAt: '2026-11-27T09:00:00Z',
  };
}

let clock = Date.parse('2026-11-27T09:00:00Z');
const at = () => new Date((clock += 1000));

/** History events as GetExecutionHistory returns them. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private add(type: string, details: Record<string, unknown> = {}) {
    this.events.push({ id: this.events.length + 1, previousEventId: this.events.length, timestamp: at(), type: type as never, ...details });
    return this;
  }
  started() {
    return this.add('ExecutionStarted', { executionStartedEventDetails: {} });
  }
  redriven() {
    return this.add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: 1 } });
  }
  enter(name: string, type = 'Task') {
    return this.add(`${type}StateEntered`, { stateEnteredEventDetails: { name } });
  }
  exit(name: string, type = 'Task') {
    return this.add(`${type}StateExited`, { stateExitedEventDetails: { name } });
  }
  lambdaOk() {
    return this.add('LambdaFunctionScheduled').add('LambdaFunctionStarted').add('LambdaFunctionSucceeded');
  }
  lambdaFails(error: string, cause: string) {
    return this.add('LambdaFunctionScheduled').add('LambdaFunctionStarted').add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } });
  }
  task(name: string) {
    return this.enter(name).lambdaOk().exit(name);
  }
  failed(error: string, cause: string) {
    return this.add('ExecutionFailed', { executionFailedEventDetails: { error, cause } });
  }
  aborted() {
    return this.add('ExecutionAborted', { executionAbortedEventDetails: {} });
  }
  succeeded() {
    return this.add('ExecutionSucceeded', { executionSucceededEventDetails: {} });
  }
}

/** The eks-cf workflow's shape of a caught failure: the step fails, is caught, explained, reported, then Fail. */
export function caughtFailure(step: string, error: string, cause: string): HistoryEvent[] {
  return new HistoryBuilder()
    .started()
    .enter('Start', 'Pass')
    .exit('Start', 'Pass')
    .task('Read Instance Group')
    .enter(step)
    .lambdaFails(error, cause)
    .lambdaFails(error, cause)
    .exit(step)
    .enter(`${step} Failed`, 'Pass')
    .exit(`${step} Failed`, 'Pass')
    .task('Explain Failure')
    .task('Report Failure')
    .enter('Failed', 'Fail')
    .failed(error, `${step} failed: ${cause}`).events;
}

/** Stopped (StopExecution) while a step was running. */
export function abortedIn(step: string): HistoryEvent[] {
  return new HistoryBuilder().started().task('Read Instance Group').enter(step).aborted().events;
}

export interface FakeExecution {
  name: string;
  machine: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  change: InstanceGroupChange;
  events?: HistoryEvent[];
  error?: string;
  cause?: string;
  redrivable?: boolean;
  startDate?: Date;
}

export function execution(g: InstanceGroup, generation: number, status: FakeExecution['status'], more: Partial<FakeExecution> & { attempt?: number } = {}): FakeExecution {
  const change = changeOf(g, generation, more.attempt ?? 1, more.change?.operation ?? 'apply');
  const name = executionName({ ...change.group, operation: change.operation, attempt: change.attempt });
  return {
    name,
    machine: `instance-manager-eks-cf-${change.operation}`,
    status,
    change,
    startDate: at(),
    redrivable: status !== 'SUCCEEDED' && status !== 'RUNNING',
    ...more,
  };
}

type Call = { op: string; input: Record<string, unknown> };

export class FakeSfn {
  readonly calls: Call[] = [];
  constructor(
    public machines: string[] = ['instance-manager-eks-cf-apply', 'instance-manager-eks-cf-delete', 'unrelated-machine'],
    public executions: FakeExecution[] = [],
  ) {}

  private arnOf(e: FakeExecution) {
    return `arn:aws:states:${REGION}:${ACCOUNT}:execution:${e.machine}:${e.name}`;
  }
  private find(arn: unknown) {
    const e = this.executions.find((x) => this.arnOf(x) === arn);
    if (!e) throw Object.assign(new Error(`Execution Does Not Exist: '${String(arn)}'`), { name: 'ExecutionDoesNotExist' });
    return e;
  }

  async send(command: unknown): Promise<unknown> {
    const op = (command as object).constructor.name.replace(/Command$/, '');
    const input = (command as { input: Record<string, unknown> }).input;
    this.calls.push({ op, input });
    switch (op) {
      case 'ListStateMachines':
        return { stateMachines: this.machines.map((name) => ({ name, stateMachineArn: machineArn(name) })) };
      case 'ListExecutions':
        return {
          executions: this.executions
            .filter((e) => machineArn(e.machine) === input.stateMachineArn)
            .sort((a, b) => b.startDate!.getTime() - a.startDate!.getTime())
            .map((e) => ({ name: e.name, executionArn: this.arnOf(e), stateMachineArn: machineArn(e.machine), status: e.status, startDate: e.startDate })),
        };
      case 'DescribeExecution': {
        const e = this.find(input.executionArn);
        return {
          executionArn: this.arnOf(e),
          stateMachineArn: machineArn(e.machine),
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          ...(e.status !== 'RUNNING' ? { stopDate: new Date(e.startDate!.getTime() + 65_000) } : {}),
          input: JSON.stringify(e.change),
          ...(e.error ? { error: e.error } : {}),
          ...(e.cause ? { cause: e.cause } : {}),
          redriveCount: 0,
          redriveStatus: e.redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
        };
      }
      case 'GetExecutionHistory':
        return { events: this.find(input.executionArn).events ?? [] };
      case 'RedriveExecution': {
        const e = this.find(input.executionArn);
        e.status = 'SUCCEEDED';
        return { redriveDate: new Date() };
      }
      case 'StartExecution': {
        const machine = String(input.stateMachineArn).split(':stateMachine:')[1]!;
        const change = JSON.parse(String(input.input)) as InstanceGroupChange;
        const e: FakeExecution = { name: String(input.name), machine, status: 'SUCCEEDED', change, startDate: at() };
        this.executions.push(e);
        return { executionArn: this.arnOf(e), startDate: e.startDate };
      }
      default:
        throw new Error(`the fake Step Functions does not answer ${op}`);
    }
  }
}

export class FakeEvents {
  readonly calls: Call[] = [];
  constructor(
    public replayStates: string[] = ['STARTING', 'RUNNING', 'COMPLETED'],
    /** What ListArchives answers. */
    public archives: string[] = ['instance-manager', 'someone-elses-archive'],
  ) {}
  async send(command: unknown): Promise<unknown> {
    const op = (command as object).constructor.name.replace(/Command$/, '');
    const input = (command as { input: Record<string, unknown> }).input;
    this.calls.push({ op, input });
    switch (op) {
      case 'DescribeArchive':
        if (input.ArchiveName !== 'instance-manager') throw Object.assign(new Error(`Archive ${String(input.ArchiveName)} does not exist.`), { name: 'ResourceNotFoundException' });
        return { ArchiveName: 'instance-manager', ArchiveArn: `arn:aws:events:${REGION}:${ACCOUNT}:archive/instance-manager`, EventSourceArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/instance-manager` };
      case 'ListArchives':
        return { Archives: this.archives.filter((a) => a.startsWith(String(input.NamePrefix ?? ''))).map((ArchiveName) => ({ ArchiveName })) };
      case 'DescribeRule':
        return { Name: input.Name, Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/instance-manager/${String(input.Name)}` };
      case 'StartReplay':
        return { ReplayArn: `arn:aws:events:${REGION}:${ACCOUNT}:replay/${String(input.ReplayName)}`, State: this.replayStates.shift() };
      case 'DescribeReplay':
        return { State: this.replayStates.shift() ?? 'COMPLETED' };
      default:
        throw new Error(`the fake EventBridge does not answer ${op}`);
    }
  }
}

/** DescribeStacks of deployed stacks: stack name → outputs. */
export class FakeCloudFormation {
  readonly calls: Call[] = [];
  constructor(public stacks: Record<string, Record<string, string>> = {}) {}
  async send(command: unknown): Promise<unknown> {
    const op = (command as object).constructor.name.replace(/Command$/, '');
    const input = (command as { input: Record<string, unknown> }).input;
    this.calls.push({ op, input });
    if (op !== 'DescribeStacks') throw new Error(`the fake CloudFormation does not answer ${op}`);
    const outputs = this.stacks[String(input.StackName)];
    if (!outputs) throw Object.assign(new Error(`Stack with id ${String(input.StackName)} does not exist`), { name: 'ValidationError' });
    return { Stacks: [{ StackName: input.StackName, Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
  }
}

export function fakeGroups(groups: InstanceGroup[], defaultNamespace = 'team-a'): GroupSource {
  return {
    defaultNamespace,
    get: async (key) => groups.find((g) => g.metadata.namespace === key.namespace && g.metadata.name === key.name),
    list: async (namespace) => groups.filter((g) => !namespace || g.metadata.namespace === namespace),
  };
}

export function fakeDeps(
  parts: {
    groups?: InstanceGroup[];
    sfn?: FakeSfn;
    events?: FakeEvents;
    cloudformation?: FakeCloudFormation;
    env?: NodeJS.ProcessEnv;
    now?: Date;
    /** Files' texts by name; "-" is stdin (absent: a terminal, nothing piped in). */
    input?: Record<string, string>;
    /** The cluster's InstanceManagerPolicy "default". */
    policyObject?: unknown;
  } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const now = parts.now ?? new Date('2026-11-27T12:00:00Z');
  let t = now.getTime();
  const deps: Deps = {
    groups: () => fakeGroups(parts.groups ?? []),
    sfn: () => parts.sfn ?? new FakeSfn(),
    events: () => parts.events ?? new FakeEvents(),
    cloudformation: () => parts.cloudformation ?? new FakeCloudFormation(),
    policyObject: async () => parts.policyObject,
    readInput: async (file) => {
      const text = parts.input?.[file];
      if (text === undefined && file !== '-') throw new Error(`no file ${file} in the test's input`);
      return text;
    },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    now: () => new Date(t),
    sleep: async (ms) => {
      t += ms;
    },
    env: parts.env ?? {},
  };
  return { deps, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}
