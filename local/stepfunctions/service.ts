// The local Step Functions service: state machines, executions and their histories, with the API's semantics
// (idempotent StartExecution, ExecutionAlreadyExists, RedriveExecution, paging). The HTTP server (http.ts) is a
// thin layer over these methods; tests and the local control plane may call them directly.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import type {
  CreateStateMachineInput,
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  ExecutionListItem,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  HistoryEvent,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  RedriveExecutionOutput,
  StartExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { awsRegion } from '../../core/aws/config.js';
import { createLogger, type Logger } from '../../core/log/index.js';
import { checkName, executionArn, parseExecutionArn, parseStateMachineArn, stateMachineArn, type Account } from './arn.js';
import {
  parseDefinition,
  substitutePlaceholders,
  timingOverrides,
  type AslDefinition,
  type TimingOptions,
} from './definition.js';
import { sfnError } from './errors.js';
import { listen, type SfnHttpServer } from './http.js';
import type { ExecutionRecord, ExecutionStatus } from './history.js';
import { bindTasks, type BindingOptions, type FunctionHandlers, type TaskHandlers } from './lambda.js';
import { redrivePlan } from './redrive.js';
import { startAttempt, type MachineForRun, type RunningAttempt } from './runner.js';
import { TaskTokens } from './task-tokens.js';

export interface LocalStepFunctionsOptions {
  /** Default: AWS_REGION / AWS_DEFAULT_REGION / us-west-2. */
  region?: string;
  /** Default 123456789012 (moto's account). */
  account?: string;
  /** Handlers by Task state name (all state machines). */
  handlers?: TaskHandlers;
  /** Handlers by function name (`instance-manager-validate`) or placeholder (`ValidateFunctionArn`). */
  functions?: FunctionHandlers;
  /** Prefix of the function names that `${XxxFunctionArn}` becomes (default `instance-manager-`). */
  functionNamePrefix?: string;
  /** Extra `${Name}` placeholders and their values. */
  substitutions?: Record<string, string>;
  /** What to do with a Lambda Task that has no handler: refuse the machine (default) or fail at run time. */
  unboundTasks?: 'error' | 'fail';
  /** Wait states and Retry pauses, scaled down (default: every Wait 10 ms, retry pauses × 0.001). */
  timing?: TimingOptions;
  logger?: Logger;
}

export interface CreateLocalStateMachineInput {
  name: string;
  /** ASL as a JSON string or an object; `${XxxFunctionArn}` placeholders are substituted. */
  definition: string | object;
  roleArn?: string;
  type?: 'STANDARD' | 'EXPRESS';
  /** Handlers for this machine only; they take precedence over the service's. */
  handlers?: TaskHandlers;
  functions?: FunctionHandlers;
  substitutions?: Record<string, string>;
  timing?: TimingOptions;
}

interface MachineEntry extends MachineForRun {
  type: 'STANDARD';
  definitionText: string;
  creationDate: Date;
}

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS = 1000;
const MAX_INPUT_BYTES = 256 * 1024;
const REDRIVABLE: ExecutionStatus[] = ['FAILED', 'ABORTED', 'TIMED_OUT'];

function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const size = Math.min(maxResults || DEFAULT_MAX_RESULTS, MAX_RESULTS);
  let offset = 0;
  if (nextToken) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!m) throw sfnError('InvalidToken', `Invalid Token: '${nextToken}'`);
    offset = Number(m[1]);
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`offset:${offset + size}`).toString('base64url') : undefined;
  return next ? { items: slice, nextToken: next } : { items: slice };
}

function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '') {
    throw sfnError('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

export class LocalStepFunctions {
  readonly region: string;
  readonly account: string;
  private readonly options: LocalStepFunctionsOptions;
  private readonly log: Logger;
  private readonly machines = new Map<string, MachineEntry>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly attempts = new Map<string, RunningAttempt>();
  private readonly changes = new EventEmitter();
  private readonly tokens = new TaskTokens();
  private server?: SfnHttpServer;

  constructor(options: LocalStepFunctionsOptions = {}) {
    this.options = options;
    this.region = options.region ?? awsRegion();
    this.account = options.account ?? '123456789012';
    this.log = options.logger ?? createLogger({ component: 'local-stepfunctions' });
    this.changes.setMaxListeners(0);
  }

  private get acct(): Account {
    return { region: this.region, account: this.account };
  }

  // ---------------------------------------------------------------------------------------------------------
  // State machines

  async createStateMachine(input: CreateLocalStateMachineInput | CreateStateMachineInput): Promise<{ stateMachineArn: string; creationDate: Date }> {
    const local = input as CreateLocalStateMachineInput;
    const name = required(input.name, 'name');
    checkName(name, 'state machine');
    if (input.type && input.type !== 'STANDARD') throw sfnError('ValidationException', 'The local runtime runs STANDARD state machines only');
    const substituted = substitutePlaceholders(parseDefinition(required(input.definition, 'definition')), {
      ...this.acct,
      functionNamePrefix: this.options.functionNamePrefix,
      substitutions: { ...this.options.substitutions, ...local.substitutions },
    });
    try {
      new StateMachine(substituted as unknown as StateMachineDefinition);
    } catch (error) {
      throw sfnError('InvalidDefinition', `Invalid State Machine Definition: '${(error as Error).message}'`);
    }
    const bindingOptions: BindingOptions = {
      ...this.acct,
      handlers: { ...this.options.handlers, ...local.handlers },
      functions: { ...this.options.functions, ...local.functions },
      functionNamePrefix: this.options.functionNamePrefix,
      unboundTasks: this.options.unboundTasks,
    };
    const bindings = bindTasks(substituted, bindingOptions);
    const arn = stateMachineArn(this.acct, name);
    const definitionText = typeof input.definition === 'string' && !input.definition.includes('${') ? input.definition : JSON.stringify(substituted, null, 2);
    const roleArn = input.roleArn ?? `arn:aws:iam::${this.account}:role/instance-manager-states`;
    const existing = this.machines.get(arn);
    if (existing) {
      if (existing.definitionText === definitionText && existing.roleArn === roleArn) return { stateMachineArn: arn, creationDate: existing.creationDate };
      throw sfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const entry: MachineEntry = {
      arn,
      name,
      roleArn,
      type: 'STANDARD',
      definition: substituted,
      definitionText,
      creationDate: new Date(),
      bindings,
      bindingOptions,
      timing: timingOverrides(substituted, { ...this.options.timing, ...local.timing }),
    };
    this.machines.set(arn, entry);
    this.log.info('state machine created', { stateMachineArn: arn, tasks: [...bindings.keys()] });
    return { stateMachineArn: arn, creationDate: entry.creationDate };
  }

  /** Reads an ASL file; the name defaults to the file's base name without `.asl.json` / `.json`. */
  createStateMachineFromFile(file: string, input: Omit<CreateLocalStateMachineInput, 'definition' | 'name'> & { name?: string } = {}) {
    const name = input.name ?? path.basename(file).replace(/(\.asl)?\.json$/, '');
    return this.createStateMachine({ ...input, name, definition: readFileSync(file, 'utf8') });
  }

  private machine(arn: string | undefined): MachineEntry {
    parseStateMachineArn(required(arn, 'stateMachineArn'));
    const m = this.machines.get(arn!);
    if (!m) throw sfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  async describeStateMachine(input: { stateMachineArn?: string }): Promise<DescribeStateMachineOutput> {
    const m = this.machine(input.stateMachineArn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definitionText,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: m.creationDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    };
  }

  async describeStateMachineForExecution(input: { executionArn?: string }) {
    const e = this.execution(input.executionArn);
    const m = this.machine(e.stateMachineArn);
    return { stateMachineArn: m.arn, name: m.name, definition: m.definitionText, roleArn: m.roleArn, updateDate: m.creationDate };
  }

  async listStateMachines(input: ListStateMachinesInput = {}): Promise<ListStateMachinesOutput> {
    const all = [...this.machines.values()].map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: m.creationDate }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
  }

  async deleteStateMachine(input: { stateMachineArn?: string }): Promise<Record<string, never>> {
    const m = this.machine(input.stateMachineArn);
    this.machines.delete(m.arn);
    return {};
  }

  // ---------------------------------------------------------------------------------------------------------
  // Executions

  private execution(arn: string | undefined): ExecutionRecord {
    parseExecutionArn(required(arn, 'executionArn'));
    const e = this.executions.get(arn!);
    if (!e) throw sfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  /**
   * As in AWS (STANDARD): the same name and input as a RUNNING execution returns that execution; a name already
   * used otherwise (different input, or the execution has ended) is ExecutionAlreadyExists.
   */
  async startExecution(input: StartExecutionInput): Promise<{ executionArn: string; startDate: Date }> {
    const m = this.machine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    checkName(name, 'execution');
    const inputText = input.input ?? '{}';
    if (Buffer.byteLength(inputText) > MAX_INPUT_BYTES) throw sfnError('InvalidExecutionInput', 'Invalid Execution Input: input exceeds 262144 bytes');
    let inputValue: unknown;
    try {
      inputValue = JSON.parse(inputText);
    } catch (error) {
      throw sfnError('InvalidExecutionInput', `Invalid Execution Input: '${(error as Error).message}'`);
    }
    const arn = executionArn(this.acct, m.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && isDeepStrictEqual(existing.inputValue, inputValue)) {
        this.log.info('execution already running with the same input: StartExecution is a no-op', { executionArn: arn });
        return { executionArn: arn, startDate: existing.startDate };
      }
      throw sfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: m.arn,
      stateMachineName: m.name,
      name,
      status: 'RUNNING',
      input: inputText,
      inputValue,
      startDate: new Date(),
      redriveCount: 0,
      events: [],
    };
    this.executions.set(arn, record);
    this.log.info('execution started', { executionArn: arn });
    this.run(record, m, { definition: m.definition, hidden: new Set(), redrive: false, tokens: this.tokens });
    return { executionArn: arn, startDate: record.startDate };
  }

  private run(record: ExecutionRecord, m: MachineEntry, attempt: Parameters<typeof startAttempt>[2]): void {
    const running = startAttempt(record, m, attempt);
    this.attempts.set(record.executionArn, running);
    this.changes.emit('change', record);
    void running.done
      .catch((error: unknown) => {
        record.status = 'FAILED';
        record.error = 'States.Runtime';
        record.cause = `local runtime error: ${(error as Error).message}`;
        record.stopDate = new Date();
      })
      .finally(() => {
        this.attempts.delete(record.executionArn);
        const fields = { executionArn: record.executionArn, status: record.status, error: record.error, cause: record.cause };
        if (record.status === 'SUCCEEDED') this.log.info('execution succeeded', fields);
        else this.log.warn(`execution ${record.status.toLowerCase()}`, { ...fields, stoppedIn: record.stoppedIn?.name });
        this.changes.emit('change', record);
      });
  }

  async describeExecution(input: { executionArn?: string }): Promise<DescribeExecutionOutput> {
    const e = this.execution(input.executionArn);
    const redrivable = REDRIVABLE.includes(e.status);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      ...(e.stopDate && e.status !== 'RUNNING' ? { stopDate: e.stopDate } : {}),
      input: e.input,
      inputDetails: { included: true },
      ...(e.status === 'SUCCEEDED' ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined && e.status !== 'RUNNING' ? { error: e.error } : {}),
      ...(e.cause !== undefined && e.status !== 'RUNNING' ? { cause: e.cause } : {}),
      redriveCount: e.redriveCount,
      ...(e.redriveDate ? { redriveDate: e.redriveDate } : {}),
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      ...(redrivable ? {} : { redriveStatusReason: `Execution is ${e.status} and cannot be redriven` }),
    };
  }

  /** Newest first, like AWS. */
  async listExecutions(input: ListExecutionsInput & { redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN' }): Promise<ListExecutionsOutput> {
    if (input.mapRunArn) throw sfnError('ValidationException', 'Map Runs are not supported by the local runtime');
    const m = this.machine(input.stateMachineArn);
    const all: ExecutionListItem[] = [...this.executions.values()]
      .filter((e) => e.stateMachineArn === m.arn)
      .filter((e) => !input.statusFilter || e.status === input.statusFilter)
      .filter((e) => !input.redriveFilter || (input.redriveFilter === 'REDRIVEN') === e.redriveCount > 0)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate,
        ...(e.stopDate && e.status !== 'RUNNING' ? { stopDate: e.stopDate } : {}),
        redriveCount: e.redriveCount,
        ...(e.redriveDate ? { redriveDate: e.redriveDate } : {}),
      }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return { executions: items, ...(nextToken ? { nextToken } : {}) };
  }

  async getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput> {
    const e = this.execution(input.executionArn);
    let events: HistoryEvent[] = e.events.map((ev) => ({ ...(JSON.parse(JSON.stringify(ev)) as HistoryEvent), timestamp: ev.timestamp }));
    if (input.reverseOrder) events.reverse();
    if (input.includeExecutionData === false) events = events.map(stripData);
    const { items, nextToken } = page(events, input.maxResults, input.nextToken);
    return { events: items, ...(nextToken ? { nextToken } : {}) };
  }

  async stopExecution(input: { executionArn?: string; error?: string; cause?: string }): Promise<StopExecutionOutput> {
    const e = this.execution(input.executionArn);
    const attempt = this.attempts.get(e.executionArn);
    if (e.status !== 'RUNNING' || !attempt) throw sfnError('ValidationException', `Execution Does Not Exist or is not running: '${e.executionArn}'`);
    attempt.stop(input.error, input.cause);
    await attempt.done.catch(() => {});
    return { stopDate: e.stopDate ?? new Date() };
  }

  /**
   * Re-runs a FAILED, ABORTED or TIMED_OUT execution from the top-level state it stopped in, with the input
   * that state had; the history continues (ExecutionRedriven, then the new state events) and redriveCount grows.
   */
  async redriveExecution(input: { executionArn?: string; clientToken?: string }): Promise<RedriveExecutionOutput> {
    const e = this.execution(input.executionArn);
    if (!REDRIVABLE.includes(e.status)) throw sfnError('ExecutionNotRedrivable', `Execution is ${e.status} and cannot be redriven: '${e.executionArn}'`);
    const m = this.machine(e.stateMachineArn);
    const plan = redrivePlan(m.definition, e.stoppedIn);
    e.redriveCount += 1;
    e.redriveDate = new Date();
    e.status = 'RUNNING';
    delete e.error;
    delete e.cause;
    delete e.output;
    delete e.stopDate;
    this.log.info('execution redriven', { executionArn: e.executionArn, redriveCount: e.redriveCount, resumeAt: plan.resumeAt });
    this.run(e, m, { definition: plan.definition, hidden: plan.hidden, redrive: true, tokens: this.tokens });
    return { redriveDate: e.redriveDate };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Callback tasks (.waitForTaskToken)

  async sendTaskSuccess(input: { taskToken?: string; output?: string }): Promise<Record<string, never>> {
    this.tokens.succeed(input.taskToken, input.output);
    return {};
  }

  async sendTaskFailure(input: { taskToken?: string; error?: string; cause?: string }): Promise<Record<string, never>> {
    this.tokens.fail(input.taskToken, input.error, input.cause);
    return {};
  }

  async sendTaskHeartbeat(input: { taskToken?: string }): Promise<Record<string, never>> {
    this.tokens.heartbeat(input.taskToken);
    return {};
  }

  /** Tokens of Tasks waiting for a callback (all executions, or one). */
  openTaskTokens(executionArn?: string): { token: string; executionArn: string; stateName: string }[] {
    return this.tokens.list(executionArn);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Test and tooling helpers

  /** Resolves with the execution's description once it has ended (waiting for it to be started if need be). */
  waitForExecution(executionArn: string, options: { timeoutMs?: number } = {}): Promise<DescribeExecutionOutput> {
    return this.waitUntil(
      () => {
        const e = this.executions.get(executionArn);
        return !!e && e.status !== 'RUNNING' && !this.attempts.has(executionArn);
      },
      options.timeoutMs ?? 30_000,
      (ms) => {
        const e = this.executions.get(executionArn);
        return `execution ${executionArn} did not end within ${ms} ms (${e ? `status ${e.status}` : 'never started'})`;
      },
    ).then(() => this.describeExecution({ executionArn }));
  }

  /** Resolves once no execution is running. */
  waitForIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.waitUntil(
      () => this.attempts.size === 0,
      options.timeoutMs ?? 30_000,
      (ms) => `still running after ${ms} ms: ${[...this.attempts.keys()].join(', ')}`,
    );
  }

  /** Resolves when `done()` holds, checked now and after every execution change; rejects after `timeoutMs`. */
  private waitUntil(done: () => boolean, timeoutMs: number, timeoutMessage: (ms: number) => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(timeoutMessage(timeoutMs)));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changes.off('change', check);
      };
      this.changes.on('change', check);
      check();
    });
  }

  /** Called whenever an execution starts, is redriven or ends. Returns an unsubscribe function. */
  onExecutionChange(listener: (execution: Readonly<ExecutionRecord>) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  /** The execution's full record (history included), for tools that want more than the API returns. */
  getExecutionRecord(executionArn: string): Readonly<ExecutionRecord> | undefined {
    return this.executions.get(executionArn);
  }

  /** Serves the Step Functions API over HTTP (JSON 1.0) on 127.0.0.1; port 0 (default) picks a free port. */
  async listen(options: { port?: number; host?: string } = {}): Promise<string> {
    this.server ??= await listen(this, options);
    return this.server.url;
  }

  /** The HTTP endpoint, once listen() has resolved. */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** Closes the HTTP server, stops every running execution (ABORTED) and waits for them to settle. */
  async close(): Promise<void> {
    await this.server?.close();
    const running = [...this.attempts.values()];
    for (const a of running) a.stop('States.Aborted', 'the local Step Functions runtime was closed');
    await Promise.allSettled(running.map((a) => a.done));
  }
}

function stripData(event: HistoryEvent): HistoryEvent {
  const out: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(out)) {
    if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
    const { input: _i, output: _o, parameters: _p, ...rest } = value as Record<string, unknown>;
    out[key] = rest;
  }
  return out as unknown as HistoryEvent;
}
