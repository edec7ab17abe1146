// Reports an execution that ended FAILED, TIMED_OUT or ABORTED onto its InstanceGroup. In AWS an EventBridge rule
// on Step Functions' "Execution Status Change" events (the default bus) targets this Lambda; locally the Step
// Functions runtime's execution-change hook stands in for the rule (local/execution-events.ts).
//
// The state machines let a failing step fail the execution where it is, so that Redrive in the console resumes at
// that step; this is what still puts the failure on the group's status: reason, message, step and console link,
// explained as "Explain Failure" does. An execution whose own failure report already reached the status is left
// alone, and a report about an older generation or attempt never overwrites a newer one (report-status).
//
// A report that does not reach the group leaves it Running until the relay's execution bound (hours), so a transient
// failure (an API server restarting, throttling, a dropped connection) is tried again in-process for most of the
// Lambda's time, before the invocation fails and Lambda's own asynchronous retries take over.
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { backoffDelay, sleep, type BackoffPolicy } from '../../core/backoff/index.js';
import { classifyError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { isInstanceGroupChange, type InstanceGroupChange } from '../../core/events/index.js';
import type { Logger } from '../../core/log/index.js';
import { explainFailure } from '../shared/explain-failure.js';
import { reportStatus, type ReportStatusResult } from '../shared/report-status.js';

export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';
export const REPORTED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export interface ExecutionStatusChange {
  source?: string;
  'detail-type'?: string;
  detail: {
    executionArn: string;
    stateMachineArn?: string;
    name: string;
    status: string;
    input?: string | null;
    error?: string | null;
    cause?: string | null;
  };
}

export interface ReportExecutionFailureDeps {
  sfn: Pick<SFNClient, 'send'>;
  clusterAccess: ClusterAccess;
  log: Logger;
  /** How long transient failures are tried again in-process (default 40 s, inside the Lambda's 60 s). */
  retryForMs?: number;
  /** Pauses between those tries (default 500 ms doubling to 5 s). */
  backoff?: BackoffPolicy;
}

const DEFAULT_RETRY_FOR_MS = 40_000;
const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 5_000 };

export type ReportOutcome =
  | { reported: false; why: 'not-a-failure' | 'not-an-instancegroup-execution' | 'already-reported' }
  | ({ reported: true; step: string; error: string } & ReportStatusResult);

const FAILURE_EVENTS = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'ExecutionFailed',
  'ExecutionTimedOut',
  'ExecutionAborted',
]);

interface Found {
  step?: string;
  error?: string;
  cause?: string;
}

function detailsOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  const e = event as unknown as Record<string, { error?: string; cause?: string } | undefined>;
  for (const key of Object.keys(e)) if (key.endsWith('EventDetails') && e[key] && ('error' in e[key]! || 'cause' in e[key]!)) return e[key];
  return undefined;
}

/** The step the execution stopped in and the error it stopped with, newest first from the history. */
export async function whereItFailed(sfn: Pick<SFNClient, 'send'>, executionArn: string): Promise<Found> {
  const found: Found = {};
  // The execution-level event repeats (or summarises) the step's error: the step's own event is preferred.
  let executionLevel: Found | undefined;
  let nextToken: string | undefined;
  for (let page = 0; page < 5; page++) {
    const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 200, ...(nextToken ? { nextToken } : {}) }));
    for (const event of out.events ?? []) {
      const type = event.type ?? '';
      const d = FAILURE_EVENTS.has(type) ? detailsOf(event) : undefined;
      if (d?.error && type.startsWith('Execution')) executionLevel ??= { error: d.error, ...(d.cause ? { cause: d.cause } : {}) };
      else if (d?.error && !found.error && !found.step) Object.assign(found, { error: d.error, ...(d.cause ? { cause: d.cause } : {}) });
      const entered = event.stateEnteredEventDetails?.name;
      if (entered && type.endsWith('StateEntered') && !found.step) found.step = entered;
      if (found.step) return found.error ? found : { ...executionLevel, step: found.step };
    }
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return found.error ? found : { ...executionLevel, ...found };
}

function defaultError(status: string): string {
  return status === 'TIMED_OUT' ? 'States.Timeout' : status === 'ABORTED' ? 'States.Aborted' : 'States.TaskFailed';
}

export async function reportExecutionFailure(event: ExecutionStatusChange, deps: ReportExecutionFailureDeps): Promise<ReportOutcome> {
  const deadline = performance.now() + (deps.retryForMs ?? DEFAULT_RETRY_FOR_MS);
  for (let failures = 1; ; failures++) {
    try {
      return await reportOnce(event, deps);
    } catch (error) {
      const delay = backoffDelay(failures, deps.backoff ?? DEFAULT_BACKOFF);
      if (classifyError(error, 'Reporting a failed execution').kind !== 'retryable' || performance.now() + delay > deadline) throw error;
      deps.log.warn('failure report not written yet; trying again', { executionArn: event.detail.executionArn, attempt: failures, error });
      await sleep(delay);
    }
  }
}

async function reportOnce(event: ExecutionStatusChange, deps: ReportExecutionFailureDeps): Promise<ReportOutcome> {
  const { detail } = event;
  if (!(REPORTED_STATUSES as readonly string[]).includes(detail.status)) return { reported: false, why: 'not-a-failure' };
  let change: InstanceGroupChange | undefined;
  try {
    const parsed: unknown = detail.input ? JSON.parse(detail.input) : undefined;
    if (isInstanceGroupChange(parsed)) change = parsed;
  } catch {
    change = undefined;
  }
  if (!change) return { reported: false, why: 'not-an-instancegroup-execution' };
  const log = deps.log.child({ executionArn: detail.executionArn, status: detail.status });

  // A machine whose own failure branch already wrote the status (Report Failure) needs nothing more.
  const api = new InstanceGroupApi(await deps.clusterAccess.connect(change.cluster));
  const current = await api.get(change.group);
  const last = current?.metadata.uid === change.group.uid ? current.status?.lastExecution : undefined;
  if (last?.name === detail.name && last.result === 'Failed') return { reported: false, why: 'already-reported' };

  const found = await whereItFailed(deps.sfn, detail.executionArn);
  const error = found.error ?? detail.error ?? defaultError(detail.status);
  const cause = found.cause ?? detail.cause ?? `The execution ended ${detail.status}.`;
  const step = found.step ?? 'unknown step';
  const explained = explainFailure({ failedStep: step, error: { Error: error, Cause: cause } });
  // An execution stopped by a person or by its own timeout is worth another attempt, whatever its last error was.
  const report = detail.status === 'FAILED' ? explained.report : { ...explained.report, retryable: true, ...(detail.status === 'ABORTED' ? { reason: 'Aborted' } : {}) };
  const result = await reportStatus({ change, execution: { arn: detail.executionArn, name: detail.name }, report }, { clusterAccess: deps.clusterAccess, log });
  log.info('execution failure reported', { step, error, written: result.written });
  return { reported: true, step, error, ...result };
}
