// The local Step Functions service: state machines, executions and their histories, with the API's semantics
// (idempotent StartExecution, ExecutionAlreadyExists, RedriveExecution, paging). The HTTP server (http.ts) is a
// thin layer over these methods; tests and the local control plane may call them directly. Each group of
// operations lives in its own module (machines, execution-api, history-api, redrive, task-tokens); this class
// holds the stores they share and answers in the API's shape (async, errors as rejections).
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type {
  CreateStateMachineInput,
  DescribeExecutionOutput,
  DescribeStateMachineOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  RedriveExecutionOutput,
  StartExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import { awsRegion } from '../../core/aws/config.js';
import { createLogger } from '../../core/log/index.js';
import type { Account } from './arn.js';
import { describeExecution, listExecutions, startExecution, stopExecution, type ExecutionApiContext } from './execution-api.js';
import { Executions } from './executions.js';
import { getExecutionHistory } from './history-api.js';
import type { ExecutionRecord } from './history.js';
import { listen, type SfnHttpServer } from './http.js';
import { StateMachines } from './machines.js';
import type { CreateLocalStateMachineInput, LocalStepFunctionsOptions } from './options.js';
import { redriveExecution } from './redrive.js';
import { TaskTokens } from './task-tokens.js';

export type { CreateLocalStateMachineInput, LocalStepFunctionsOptions } from './options.js';

export class LocalStepFunctions {
  readonly region: string;
  readonly account: string;
  private readonly machines: StateMachines;
  private readonly executions: Executions;
  private readonly tokens = new TaskTokens();
  private readonly ctx: ExecutionApiContext;
  private server?: SfnHttpServer;

  constructor(options: LocalStepFunctionsOptions = {}) {
    this.region = options.region ?? awsRegion();
    this.account = options.account ?? '123456789012';
    const log = options.logger ?? createLogger({ component: 'local-stepfunctions' });
    const acct: Account = { region: this.region, account: this.account };
    this.machines = new StateMachines(acct, options, log);
    this.executions = new Executions(log);
    this.ctx = { acct, machines: this.machines, executions: this.executions, tokens: this.tokens, log };
  }

  // ---------------------------------------------------------------------------------------------------------
  // State machines

  async createStateMachine(input: CreateLocalStateMachineInput | CreateStateMachineInput): Promise<{ stateMachineArn: string; creationDate: Date }> {
    return this.machines.create(input);
  }

  /** Reads an ASL file; the name defaults to the file's base name without `.asl.json` / `.json`. */
  createStateMachineFromFile(file: string, input: Omit<CreateLocalStateMachineInput, 'definition' | 'name'> & { name?: string } = {}) {
    const name = input.name ?? path.basename(file).replace(/(\.asl)?\.json$/, '');
    return this.createStateMachine({ ...input, name, definition: readFileSync(file, 'utf8') });
  }

  async describeStateMachine(input: { stateMachineArn?: string }): Promise<DescribeStateMachineOutput> {
    return this.machines.describe(input);
  }

  async describeStateMachineForExecution(input: { executionArn?: string }) {
    const e = this.executions.get(input.executionArn);
    const m = this.machines.get(e.stateMachineArn);
    return { stateMachineArn: m.arn, name: m.name, definition: m.definitionText, roleArn: m.roleArn, updateDate: m.creationDate };
  }

  async listStateMachines(input: ListStateMachinesInput = {}): Promise<ListStateMachinesOutput> {
    return this.machines.list(input);
  }

  async deleteStateMachine(input: { stateMachineArn?: string }): Promise<Record<string, never>> {
    return this.machines.delete(input);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Executions

  async startExecution(input: StartExecutionInput): Promise<{ executionArn: string; startDate: Date }> {
    return startExecution(this.ctx, input);
  }

  async describeExecution(input: { executionArn?: string }): Promise<DescribeExecutionOutput> {
    return describeExecution(this.executions, input);
  }

  /** Newest first, like AWS. */
  async listExecutions(input: ListExecutionsInput & { redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN' }): Promise<ListExecutionsOutput> {
    return listExecutions(this.ctx, input);
  }

  async getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput> {
    return getExecutionHistory(this.executions, input);
  }

  stopExecution(input: { executionArn?: string; error?: string; cause?: string }): Promise<StopExecutionOutput> {
    return stopExecution(this.executions, input);
  }

  /** See redrive.ts: resumes at the top-level state the execution stopped in. */
  async redriveExecution(input: { executionArn?: string; clientToken?: string }): Promise<RedriveExecutionOutput> {
    return redriveExecution(this.ctx, input);
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
    return this.executions.waitForEnd(executionArn, options.timeoutMs ?? 30_000).then(() => this.describeExecution({ executionArn }));
  }

  /** Resolves once no execution is running. */
  waitForIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.executions.waitForIdle(options.timeoutMs ?? 30_000);
  }

  /** Called whenever an execution starts, is redriven or ends. Returns an unsubscribe function. */
  onExecutionChange(listener: (execution: Readonly<ExecutionRecord>) => void): () => void {
    return this.executions.onChange(listener);
  }

  /** The execution's full record (history included), for tools that want more than the API returns. */
  getExecutionRecord(executionArn: string): Readonly<ExecutionRecord> | undefined {
    return this.executions.find(executionArn);
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
    await this.executions.abortAll('States.Aborted', 'the local Step Functions runtime was closed');
  }
}
