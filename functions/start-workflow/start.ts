// Starts the workflow for one InstanceGroup change, under its deterministic execution name. EventBridge rule
// targets cannot name an execution, so in AWS the rules target this Lambda; locally the dispatcher calls the
// same function for each message of the queue the rules target.
//
// Input: an EventBridge event whose detail is an InstanceGroupChange, or an SQS event whose records' bodies are
// such EventBridge events (for a queue between the rules and this Lambda). An SQS batch reports per-record
// failures (batchItemFailures), so the event source mapping must enable ReportBatchItemFailures.
//
// Idempotent: a redelivered event finds its execution name taken (ExecutionAlreadyExists, or StartExecution's
// no-op for a running execution with the same input) and counts as started.
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { classifyError, TerminalError } from '../../core/errors/index.js';
import { DETAIL_TYPE, isInstanceGroupChange, type InstanceGroupChange } from '../../core/events/index.js';
import type { Logger } from '../../core/log/index.js';
import { groupContext } from '../../core/log/index.js';
import { consoleUrl, executionName } from '../../core/names/index.js';
import { gaveUp } from '../../core/status/retry.js';
import { stateMachineEnvName, workflowKey, type StateMachineArns } from '../../core/workflows/state-machine-arns.js';

export type InstanceGroupEvent = EventBridgeEvent<typeof DETAIL_TYPE, InstanceGroupChange>;
export type StartWorkflowEvent = InstanceGroupEvent | SQSEvent;

export interface StartWorkflowDeps {
  sfn: Pick<SFNClient, 'send'>;
  stateMachines: StateMachineArns;
  logger: Logger;
}

export interface StartOutcome {
  status: 'started' | 'already-started';
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  consoleUrl: string;
}

export interface BatchOutcome extends SQSBatchResponse {
  outcomes: StartOutcome[];
}

/** The event is not an InstanceGroupChange of a version this code understands. */
export class InvalidChangeEventError extends TerminalError {
  override readonly reason = 'InvalidEvent';
}

/** No state machine is configured for the change's (provisioner, operation). */
export class NoWorkflowError extends TerminalError {
  override readonly reason = 'NoWorkflow';
}

export function isSqsEvent(event: unknown): event is SQSEvent {
  return !!event && Array.isArray((event as SQSEvent).Records);
}

export async function startWorkflow(event: InstanceGroupEvent, deps: StartWorkflowDeps): Promise<StartOutcome> {
  const change: unknown = event?.detail;
  if (!isInstanceGroupChange(change)) {
    throw new InvalidChangeEventError(
      `event ${event?.id ?? '(no id)'} (${event?.source ?? '?'} / ${event?.['detail-type'] ?? '?'}) does not carry an InstanceGroupChange of this version`,
    );
  }
  const log = deps.logger.child({ ...groupContext(change.group), operation: change.operation, attempt: change.attempt, eventId: event.id });
  const key = workflowKey(change.provisioner, change.operation);
  const stateMachineArn = deps.stateMachines[key];
  if (!stateMachineArn) {
    throw new NoWorkflowError(
      `no state machine for ${key}: set it in STATE_MACHINE_ARNS or ${stateMachineEnvName(change.provisioner, change.operation)} ` +
        `(configured: ${Object.keys(deps.stateMachines).join(', ') || 'none'})`,
    );
  }
  for (let attempt = change.attempt; ; attempt++) {
    const outcome = await startAttempt({ ...change, attempt }, stateMachineArn, deps, log);
    // The relay's pass re-sends a generation that never reported. When the execution of that attempt already ended
    // without a report (it failed before writing status, timed out or was aborted), the next attempt is started
    // instead of counting the old one as started, up to the end of the block of automatic attempts.
    if (outcome.status !== 'already-started' || change.reason !== 'resync' || gaveUp(attempt)) return outcome;
    const ended = await endedWithoutSuccess(outcome.executionArn, deps);
    if (!ended) return outcome;
    log.info('that attempt ended without success and without a report; starting the next one', { executionArn: outcome.executionArn, status: ended });
  }
}

async function startAttempt(change: InstanceGroupChange, stateMachineArn: string, deps: StartWorkflowDeps, log: Logger): Promise<StartOutcome> {
  const name = executionName({ ...change.group, operation: change.operation, attempt: change.attempt });
  const expectedArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  try {
    const out = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(change) }));
    const executionArn = out.executionArn ?? expectedArn;
    log.info('workflow started', { executionArn, attempt: change.attempt, consoleUrl: consoleUrl(executionArn) });
    return { status: 'started', executionArn, executionName: name, stateMachineArn, consoleUrl: consoleUrl(executionArn) };
  } catch (error) {
    if ((error as { name?: string })?.name === 'ExecutionAlreadyExists') {
      log.info('workflow already started for this generation and attempt: nothing to do', { executionArn: expectedArn });
      return { status: 'already-started', executionArn: expectedArn, executionName: name, stateMachineArn, consoleUrl: consoleUrl(expectedArn) };
    }
    throw classifyError(error, `StartExecution ${name} on ${stateMachineArn}`);
  }
}

/** FAILED, TIMED_OUT or ABORTED when the execution ended that way; undefined while it runs or once it succeeded. */
async function endedWithoutSuccess(executionArn: string, deps: StartWorkflowDeps): Promise<string | undefined> {
  try {
    const out = (await deps.sfn.send(new DescribeExecutionCommand({ executionArn }))) as { status?: string };
    return out.status === 'FAILED' || out.status === 'TIMED_OUT' || out.status === 'ABORTED' ? out.status : undefined;
  } catch (error) {
    throw classifyError(error, `DescribeExecution ${executionArn}`);
  }
}

/** Each record independently; failed records are returned for redelivery, the others are done. */
export async function startWorkflowBatch(event: SQSEvent, deps: StartWorkflowDeps): Promise<BatchOutcome> {
  const results = await Promise.all(
    event.Records.map(async (record) => {
      try {
        return { ok: true as const, outcome: await startWorkflow(JSON.parse(record.body) as InstanceGroupEvent, deps) };
      } catch (error) {
        deps.logger.error('could not start the workflow for a queued event', { messageId: record.messageId, error });
        return { ok: false as const, messageId: record.messageId };
      }
    }),
  );
  return {
    batchItemFailures: results.flatMap((r) => (r.ok ? [] : [{ itemIdentifier: r.messageId }])),
    outcomes: results.flatMap((r) => (r.ok ? [r.outcome] : [])),
  };
}

export function handleStartWorkflowEvent(event: StartWorkflowEvent, deps: StartWorkflowDeps): Promise<StartOutcome | BatchOutcome> {
  return isSqsEvent(event) ? startWorkflowBatch(event, deps) : startWorkflow(event, deps);
}
