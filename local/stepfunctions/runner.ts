// Runs one attempt of an execution (the first run or a redrive) with aws-local-stepfunctions, records its
// history, and settles the record's status.
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { AslDefinition, TimingOverrides } from './definition.js';
import { appendEvent, causeText, HistoryRecorder, type ExecutionRecord, type RecorderContext } from './history.js';
import { InvocationJournal, localTaskHandlers, type BindingOptions, type TaskBinding } from './lambda.js';
import { withTaskTokens, type TaskTokens } from './task-tokens.js';

export interface MachineForRun {
  arn: string;
  name: string;
  roleArn: string;
  definition: AslDefinition;
  bindings: Map<string, TaskBinding>;
  bindingOptions: BindingOptions;
  timing: TimingOverrides;
}

export interface AttemptOptions {
  definition: AslDefinition;
  hidden: Set<string>;
  /** A redrive (ExecutionRedriven instead of ExecutionStarted). */
  redrive: boolean;
  /** Where `.waitForTaskToken` Tasks register their tokens. */
  tokens: TaskTokens;
}

export interface RunningAttempt {
  /** Stops the run; the record ends ABORTED with this error and cause. */
  stop(error?: string, cause?: string): void;
  done: Promise<void>;
}

export function startAttempt(record: ExecutionRecord, machine: MachineForRun, attempt: AttemptOptions): RunningAttempt {
  const journal = new InvocationJournal();
  const context = {
    Execution: {
      Id: record.executionArn,
      Name: record.name,
      RoleArn: machine.roleArn,
      RedriveCount: record.redriveCount,
      ...(record.redriveDate ? { RedriveTime: record.redriveDate.toISOString() } : {}),
    },
    StateMachine: { Id: machine.arn, Name: machine.name },
  };
  const recorderContext: RecorderContext = {
    topLevel: new Set(Object.keys(machine.definition.States)),
    hidden: attempt.hidden,
    bindings: machine.bindings,
    journal,
    region: machine.bindingOptions.region,
    start: attempt.redrive
      ? { kind: 'redriven', redriveCount: record.redriveCount }
      : { kind: 'started', input: record.input, roleArn: machine.roleArn },
  };
  const recorder = new HistoryRecorder(record.events, recorderContext);
  const timeoutFactor = machine.timing.tokenTimeoutFactor ?? 1;
  const runDefinition = withTaskTokens(attempt.definition, timeoutFactor);
  const sm = new StateMachine(runDefinition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  const handlers = localTaskHandlers(machine.bindings, journal, machine.bindingOptions, {
    tokens: attempt.tokens,
    executionArn: record.executionArn,
    timeoutFactor,
  });
  // On AWS a Map whose iteration fails stops the others and starts no more; aws-local-stepfunctions aborts the
  // running ones but still starts those its concurrency limit had queued. No Task runs once the execution ended.
  let ended = false;
  const runHandlers = Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      async (input: unknown) => {
        await new Promise((resolve) => setImmediate(resolve)); // lets a failure that is settling land first
        if (ended) throw new ExecutionAbortedError();
        return handler(input);
      },
    ]),
  );
  const run = sm.run(record.inputValue as never, {
    overrides: {
      taskResourceLocalHandlers: runHandlers as never,
      waitTimeOverrides: machine.timing.waitTimeOverrides,
      retryIntervalOverrides: machine.timing.retryIntervalOverrides,
    },
    context,
  });

  let stopRequest: { error?: string; cause?: string } | undefined;
  const drain = (async () => {
    for await (const event of run.eventLogs) recorder.onEvent(event);
  })();

  const done = (async () => {
    const outcome = await run.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    ended = true;
    await drain;
    attempt.tokens.closeExecution(record.executionArn);
    const now = new Date();
    record.stopDate = now;
    record.stoppedIn = recorder.current;
    if (outcome.ok && !stopRequest) {
      record.status = 'SUCCEEDED';
      record.output = JSON.stringify(outcome.output ?? null);
      record.stoppedIn = undefined;
      appendEvent(record.events, 'ExecutionSucceeded', now, {
        executionSucceededEventDetails: { output: record.output, outputDetails: { truncated: false } },
      });
    } else if (stopRequest || (!outcome.ok && outcome.error instanceof ExecutionAbortedError)) {
      record.status = 'ABORTED';
      record.error = stopRequest?.error;
      record.cause = stopRequest?.cause;
      appendEvent(record.events, 'ExecutionAborted', now, {
        executionAbortedEventDetails: { error: stopRequest?.error, cause: stopRequest?.cause },
      });
    } else if (!outcome.ok && outcome.error instanceof ExecutionTimeoutError) {
      record.status = 'TIMED_OUT';
      record.error = 'States.Timeout';
      record.cause = `The execution exceeded its TimeoutSeconds (${machine.definition.TimeoutSeconds}).`;
      appendEvent(record.events, 'ExecutionTimedOut', now, {
        executionTimedOutEventDetails: { error: record.error, cause: record.cause },
      });
    } else {
      const failure = !outcome.ok ? outcome.error : undefined;
      const root = (failure instanceof ExecutionError ? failure.cause : failure) as { name?: string; message?: string; cause?: unknown } | undefined;
      record.status = 'FAILED';
      record.error = root?.name ?? 'States.Runtime';
      record.cause = causeText(root?.cause ?? root?.message ?? String(failure));
      appendEvent(record.events, 'ExecutionFailed', now, {
        executionFailedEventDetails: { error: record.error, cause: record.cause },
      });
    }
  })();

  return {
    stop(error?: string, cause?: string) {
      stopRequest = { error, cause };
      run.abort();
    },
    done,
  };
}
