// Reads an execution's history (GetExecutionHistory events, oldest first) for what an operator asks first:
// which step failed, with which error, and where the execution stopped.
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export interface StepFailure {
  state: string;
  error?: string;
  cause?: string;
}

export interface HistoryAnalysis {
  /** The step whose failure ended the run: the first failure a Catch handled, else the step that failed uncaught. */
  failedStep?: StepFailure;
  /** The last state entered (of the latest attempt): where a RUNNING execution is, where a stopped one stopped. */
  lastState?: { name: string; type: string };
  /** The run ended by entering a Fail state: the workflow handled the error itself (redrive would only re-run the Fail state). */
  endedInFailState: boolean;
}

type Details = { error?: string; cause?: string; name?: string };

function detailsOf(event: HistoryEvent): Details | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Details;
  }
  return undefined;
}

const TASK_FAILURE = /^(LambdaFunction|Task|Activity)(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;
const TASK_SUCCESS = /^(LambdaFunction|Task|Activity)Succeeded$/;

export function analyseHistory(events: HistoryEvent[]): HistoryAnalysis {
  let current: { name: string; type: string } | undefined;
  /** A task failure of the current state not (yet) followed by a success. */
  let pending: StepFailure | undefined;
  let caught: StepFailure | undefined;
  let uncaught: StepFailure | undefined;
  let earlierCaught: StepFailure | undefined;

  for (const event of events) {
    const type = String(event.type ?? '');
    const details = detailsOf(event);
    if (type === 'ExecutionRedriven') {
      earlierCaught = caught ?? uncaught ?? earlierCaught;
      caught = uncaught = pending = undefined;
      continue;
    }
    const entered = /^(\w+)StateEntered$/.exec(type);
    if (entered) {
      current = { name: event.stateEnteredEventDetails?.name ?? '?', type: entered[1]! };
      pending = undefined;
      continue;
    }
    if (TASK_FAILURE.test(type) && current) {
      pending = { state: current.name, ...(details?.error ? { error: details.error } : {}), ...(details?.cause ? { cause: details.cause } : {}) };
      continue;
    }
    if (TASK_SUCCESS.test(type)) {
      pending = undefined;
      continue;
    }
    if (/StateExited$/.test(type)) {
      // A state that exits right after a failure had it handled by a Catch.
      if (pending && pending.state === event.stateExitedEventDetails?.name) caught ??= pending;
      pending = undefined;
      continue;
    }
    if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut' || type === 'ExecutionAborted') {
      if (pending) uncaught = pending;
    }
  }
  const failedStep = caught ?? uncaught ?? (current?.type === 'Fail' ? earlierCaught : undefined);
  return {
    ...(failedStep ? { failedStep } : {}),
    ...(current ? { lastState: current } : {}),
    endedInFailState: current?.type === 'Fail',
  };
}
