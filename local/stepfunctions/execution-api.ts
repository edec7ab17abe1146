// StartExecution, DescribeExecution, ListExecutions and StopExecution with the API's semantics: idempotent starts,
// ExecutionAlreadyExists, newest-first listing with status and redrive filters, paging.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type {
  DescribeExecutionOutput,
  ExecutionListItem,
  ListExecutionsInput,
  ListExecutionsOutput,
  StartExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import type { Logger } from '../../core/log/index.js';
import { page } from './api-input.js';
import { checkName, executionArn, type Account } from './arn.js';
import { sfnError } from './errors.js';
import type { Executions } from './executions.js';
import type { ExecutionRecord, ExecutionStatus } from './history.js';
import type { StateMachines } from './machines.js';
import type { TaskTokens } from './task-tokens.js';

/** What the execution operations work on: the service's stores. */
export interface ExecutionApiContext {
  acct: Account;
  machines: StateMachines;
  executions: Executions;
  tokens: TaskTokens;
  log: Logger;
}

const MAX_INPUT_BYTES = 256 * 1024;
export const REDRIVABLE: ExecutionStatus[] = ['FAILED', 'ABORTED', 'TIMED_OUT'];

/**
 * As in AWS (STANDARD): the same name and input as a RUNNING execution returns that execution; a name already
 * used otherwise (different input, or the execution has ended) is ExecutionAlreadyExists.
 */
export function startExecution(ctx: ExecutionApiContext, input: StartExecutionInput): { executionArn: string; startDate: Date } {
  const m = ctx.machines.get(input.stateMachineArn);
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
  const arn = executionArn(ctx.acct, m.name, name);
  const existing = ctx.executions.find(arn);
  if (existing) {
    if (existing.status === 'RUNNING' && isDeepStrictEqual(existing.inputValue, inputValue)) {
      ctx.log.info('execution already running with the same input: StartExecution is a no-op', { executionArn: arn });
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
  ctx.executions.add(record);
  ctx.log.info('execution started', { executionArn: arn });
  ctx.executions.run(record, m, { definition: m.definition, hidden: new Set(), redrive: false, tokens: ctx.tokens });
  return { executionArn: arn, startDate: record.startDate };
}

export function describeExecution(executions: Executions, input: { executionArn?: string }): DescribeExecutionOutput {
  const e = executions.get(input.executionArn);
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
export function listExecutions(
  ctx: Pick<ExecutionApiContext, 'machines' | 'executions'>,
  input: ListExecutionsInput & { redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN' },
): ListExecutionsOutput {
  if (input.mapRunArn) throw sfnError('ValidationException', 'Map Runs are not supported by the local runtime');
  const m = ctx.machines.get(input.stateMachineArn);
  const all: ExecutionListItem[] = ctx.executions
    .all()
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

export async function stopExecution(executions: Executions, input: { executionArn?: string; error?: string; cause?: string }): Promise<StopExecutionOutput> {
  const e = executions.get(input.executionArn);
  const attempt = executions.runningAttempt(e.executionArn);
  if (e.status !== 'RUNNING' || !attempt) throw sfnError('ValidationException', `Execution Does Not Exist or is not running: '${e.executionArn}'`);
  attempt.stop(input.error, input.cause);
  await attempt.done.catch(() => {});
  return { stopDate: e.stopDate ?? new Date() };
}
