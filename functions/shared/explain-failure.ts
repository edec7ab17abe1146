// Turns a step's error (as Step Functions reports it: Error and Cause) into the status report of a failure: reason,
// message, step and whether a retry could help. Used by report-execution-failure for every failed execution.
import { errorClassNamed, isRetryableStepError } from '../../core/errors/index.js';
import type { WorkflowState } from './workflow-state.js';

export interface ExplainFailureInput extends WorkflowState {
  failedStep: string;
  error: { Error: string; Cause?: string };
}

/** Step Functions' and Lambda's own error names that are no class of ours; a class's reason comes from the class. */
const STEP_ERROR_REASONS: Record<string, string> = {
  'States.Timeout': 'TimedOut',
  'Sandbox.Timedout': 'TimedOut',
  TimeoutError: 'TimedOut',
};

/** The reason shown on the group for an error name: the class's own, else a name Step Functions or Lambda uses. */
export function reasonFor(name: string): string {
  return (
    errorClassNamed(name)?.reason ??
    STEP_ERROR_REASONS[name] ??
    (name.startsWith('Lambda.') ? 'LambdaFailure' : name.replace(/Error$/, '') || 'Failed')
  );
}

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
  const reason = reasonFor(name);
  return {
    report: { phase: 'failed' as const, reason, message, step: input.failedStep, retryable },
    error: name,
    cause: `${input.failedStep} failed: ${message}`,
  };
}

