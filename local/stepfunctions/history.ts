// An execution's record and its history, shaped like GetExecutionHistory's events. aws-local-stepfunctions
// reports state-level events (entered, exited, failed, retried, caught); the Lambda-level events
// (LambdaFunctionScheduled/Started/Succeeded/Failed/TimedOut) come from the invocation journal, paired with
// the state event that ends each attempt.
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { InvocationJournal, Invocation, TaskBinding } from './lambda.js';

export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateRef {
  name: string;
  input: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  /** The input as given to StartExecution (a JSON string). */
  input: string;
  inputValue: unknown;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  redriveCount: number;
  redriveDate?: Date;
  events: HistoryEvent[];
  /** The top-level state the last attempt stopped in (failed, aborted or timed out): where a redrive resumes. */
  stoppedIn?: StateRef;
}

const json = (value: unknown) => JSON.stringify(value ?? null);
/** The *Details of a payload: the local runtime never truncates. */
const payload = (_value: unknown) => ({ truncated: false });

export function appendEvent(events: HistoryEvent[], type: HistoryEventType, at: number | Date, details: Partial<HistoryEvent> = {}): HistoryEvent {
  const id = events.length + 1;
  const event: HistoryEvent = { timestamp: at instanceof Date ? at : new Date(at), type, id, previousEventId: id - 1, ...details };
  events.push(event);
  return event;
}

export interface RecorderContext {
  /** Names of the top-level states (a redrive can resume at one of them). */
  topLevel: Set<string>;
  /** Synthetic states (the redrive entry) left out of the history. */
  hidden: Set<string>;
  bindings: Map<string, TaskBinding>;
  journal: InvocationJournal;
  region: string;
  /** ExecutionStarted for a first attempt, ExecutionRedriven for a redrive. */
  start: { kind: 'started'; input: string; roleArn: string } | { kind: 'redriven'; redriveCount: number };
}

export class HistoryRecorder {
  /** The top-level state currently running, with its input. */
  current?: StateRef;
  private readonly caught = new Set<string>();

  constructor(
    private readonly events: HistoryEvent[],
    private readonly ctx: RecorderContext,
  ) {}

  private add(type: HistoryEventType, at: number | Date, details?: Partial<HistoryEvent>) {
    appendEvent(this.events, type, at, details);
  }

  onEvent(ev: LibraryEvent): void {
    switch (ev.type) {
      case 'ExecutionStarted':
        if (this.ctx.start.kind === 'started') {
          this.add('ExecutionStarted', ev.timestamp, {
            executionStartedEventDetails: { input: this.ctx.start.input, inputDetails: payload(this.ctx.start.input), roleArn: this.ctx.start.roleArn },
          });
        } else {
          this.add('ExecutionRedriven', ev.timestamp, { executionRedrivenEventDetails: { redriveCount: this.ctx.start.redriveCount } });
        }
        return;
      case 'StateEntered': {
        const { name, type, input } = ev.state;
        if (this.ctx.hidden.has(name)) return;
        if (this.ctx.topLevel.has(name) && ev.index === undefined) this.current = { name, input };
        this.caught.delete(name);
        this.add(`${type}StateEntered` as HistoryEventType, ev.timestamp, {
          stateEnteredEventDetails: { name, input: json(input), inputDetails: payload(input) },
        });
        if (type === 'Parallel') this.add('ParallelStateStarted', ev.timestamp);
        if (type === 'Map') this.add('MapStateStarted', ev.timestamp, { mapStateStartedEventDetails: {} });
        return;
      }
      case 'StateFailed': {
        const { name, type } = ev.state;
        if (type === 'Task') this.taskAttempt(name, { error: ev.Error, cause: causeText(ev.Cause) });
        if (type === 'Parallel') this.add('ParallelStateFailed', ev.timestamp);
        if (type === 'Map') this.add('MapStateFailed', ev.timestamp);
        return;
      }
      case 'StateCaught':
        this.caught.add(ev.state.name);
        return;
      case 'StateRetried':
        return;
      case 'StateExited': {
        const { name, type, output } = ev.state;
        if (this.ctx.hidden.has(name)) return;
        const caught = this.caught.has(name);
        if (type === 'Task' && !caught) this.taskAttempt(name);
        if (type === 'Parallel' && !caught) this.add('ParallelStateSucceeded', ev.timestamp);
        if (type === 'Map' && !caught) this.add('MapStateSucceeded', ev.timestamp);
        this.add(`${type}StateExited` as HistoryEventType, ev.timestamp, {
          stateExitedEventDetails: { name, output: json(output), outputDetails: payload(output) },
        });
        if (this.current?.name === name && ev.index === undefined) this.current = undefined;
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const details = { name: ev.parentState.name, index: ev.index };
        const key = `${ev.type[0]!.toLowerCase()}${ev.type.slice(1)}EventDetails` as
          | 'mapIterationStartedEventDetails'
          | 'mapIterationSucceededEventDetails'
          | 'mapIterationFailedEventDetails';
        this.add(ev.type, ev.timestamp, { [key]: details });
        return;
      }
      default:
        // Parallel branch events have no AWS counterpart; execution-level endings are written by the runner.
        return;
    }
  }

  /** One Task attempt, as the Lambda (or Task) events AWS shows between the state's entered and exited events. */
  private taskAttempt(stateName: string, failure?: { error: string; cause: string }): void {
    const inv = this.ctx.journal.take(stateName);
    if (!inv) return; // failed before the function was called (an input path or Parameters error)
    const binding = this.ctx.bindings.get(stateName);
    if (!binding || binding.kind === 'lambda') this.lambdaEvents(inv, failure);
    else this.taskEvents(inv, failure);
  }

  private lambdaEvents(inv: Invocation, failure?: { error: string; cause: string }): void {
    const end = inv.endedAt ?? Date.now();
    this.add('LambdaFunctionScheduled', inv.startedAt, {
      lambdaFunctionScheduledEventDetails: { resource: inv.resource, input: json(inv.input), inputDetails: payload(inv.input), timeoutInSeconds: inv.timeoutSeconds },
    });
    this.add('LambdaFunctionStarted', inv.startedAt);
    if (failure?.error === 'States.Timeout') {
      this.add('LambdaFunctionTimedOut', end, { lambdaFunctionTimedOutEventDetails: failure });
    } else if (failure) {
      this.add('LambdaFunctionFailed', end, { lambdaFunctionFailedEventDetails: failure });
    } else {
      this.add('LambdaFunctionSucceeded', end, { lambdaFunctionSucceededEventDetails: { output: json(inv.output), outputDetails: payload(inv.output) } });
    }
  }

  private taskEvents(inv: Invocation, failure?: { error: string; cause: string }): void {
    const end = inv.endedAt ?? Date.now();
    const m = /^arn:aws:states:::([\w-]+):([\w.:-]+)$/.exec(inv.resource);
    const resourceType = m?.[1] ?? 'lambda';
    const resource = m?.[2] ?? inv.resource;
    this.add('TaskScheduled', inv.startedAt, {
      taskScheduledEventDetails: { resourceType, resource, region: this.ctx.region, parameters: json(inv.input), timeoutInSeconds: inv.timeoutSeconds },
    });
    this.add('TaskStarted', inv.startedAt, { taskStartedEventDetails: { resourceType, resource } });
    if (failure?.error === 'States.Timeout' || failure?.error === 'States.HeartbeatTimeout') this.add('TaskTimedOut', end, { taskTimedOutEventDetails: { resourceType, resource, ...failure } });
    else if (failure) this.add('TaskFailed', end, { taskFailedEventDetails: { resourceType, resource, ...failure } });
    else this.add('TaskSucceeded', end, { taskSucceededEventDetails: { resourceType, resource, output: json(inv.output), outputDetails: payload(inv.output) } });
  }
}

export function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}
