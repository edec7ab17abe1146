// Turns a step's error (as Step Functions reports it: Error and Cause) into the status report of a failure: reason,
// message, step and whether a retry could help. Used by report-execution-failure for every failed execution.
import { isRetryableStepError } from '../../core/errors/index.js';
import type { WorkflowState } from './workflow-state.js';

export interface ExplainFailureInput extends WorkflowState {
  failedStep: string;
  error: { Error: string; Cause?: string };
}

const REASONS: Record<string, string> = {
  MissingReferenceError: 'MissingReference',
  PolicyViolationError: 'PolicyViolation',
  InvalidSpecError: 'InvalidSpec',
  AwsRejectedError: 'AwsRejected',
  NameConflictError: 'NameConflict',
  ProvisioningFailedError: 'ProvisioningFailed',
  TerminalError: 'Failed',
  RetryableError: 'TransientFailure',
  ResourceBusyError: 'ResourceBusy',
  'States.Timeout': 'TimedOut',
  'Sandbox.Timedout': 'TimedOut',
  TimeoutError: 'TimedOut',
};

/** The message inside a Catch's Cause: Lambda sends {"errorType","errorMessage",...} as JSON; locally it is the text. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}

/** Turns a caught error into a status report and a readable Error/Cause for the execution's Fail state. */
export function explainFailure(input: Pick<ExplainFailureInput, 'failedStep' | 'error'>) {
  const name = input.error.Error;
  const message = causeMessage(input.error.Cause);
  const retryable = isRetryableStepError(name);
  const reason = REASONS[name] ?? (name.startsWith('Lambda.') ? 'LambdaFailure' : name.replace(/Error$/, '') || 'Failed');
  return {
    report: { phase: 'failed' as const, reason, message, step: input.failedStep, retryable },
    error: name,
    cause: `${input.failedStep} failed: ${message}`,
  };
}

