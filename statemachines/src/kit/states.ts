// Builders for the states of a machine description (statemachines/src/<machine>.ts). Each returns a named state;
// a Task names no function: the machine resolves it from the one table in statemachines/src/functions.ts.
import type { RetryPolicy } from '../../../core/errors/index.js';
import type { ChoiceRule, Json, Parameters } from './asl.js';

/** Seconds a Task waits for its Lambda: a little more than the longest Lambda timeout (60 s). */
export const TASK_TIMEOUT_SECONDS = 90;

export interface TaskState {
  type: 'Task';
  name: string;
  comment: string;
  parameters: Parameters;
  resultPath: string | null;
  next: string;
  timeoutSeconds: number;
  busy?: RetryPolicy | undefined;
  /** Where NoLongerWantedError goes (an apply's mutating step). */
  noLongerWanted?: string | undefined;
  /** A report whose failure is harmless: any error goes on to `next`. */
  bestEffort?: boolean | undefined;
}

/** A `.waitForTaskToken` Lambda invoke: its timeout and any failure fall back to `next`. */
export interface CallbackState {
  type: 'Callback';
  name: string;
  comment: string;
  payload: Parameters;
  resultPath: string;
  next: string;
  timeoutSeconds: number;
}

export interface OtherState {
  type: 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Map';
  name: string;
  /** The ASL fields after Type, in order. */
  fields: { [key: string]: unknown };
}

export type State = TaskState | CallbackState | OtherState;

export interface Flow {
  startAt?: string;
  states: State[];
}

/** {"change.$": "$.change", ...}: fields passed on under their own names. */
export function from(...names: string[]): Parameters {
  return Object.fromEntries(names.map((n) => [`${n}.$`, `$.${n}`]));
}

export function task(
  name: string,
  comment: string,
  options: {
    parameters: Parameters;
    resultPath: string | null;
    next: string;
    timeoutSeconds?: number;
    busy?: RetryPolicy;
    noLongerWanted?: string;
    bestEffort?: boolean;
  },
): TaskState {
  return { type: 'Task', name, comment, timeoutSeconds: options.timeoutSeconds ?? TASK_TIMEOUT_SECONDS, ...options };
}

export function callback(
  name: string,
  comment: string,
  options: { payload: Parameters; resultPath: string; next: string; timeoutSeconds: number },
): CallbackState {
  return { type: 'Callback', name, comment, ...options };
}

export function pass(name: string, comment: string, options: { parameters?: Parameters; result?: Json; resultPath?: string; next: string }): OtherState {
  return {
    type: 'Pass',
    name,
    fields: {
      Comment: comment,
      ...(options.parameters ? { Parameters: options.parameters } : {}),
      ...(options.result !== undefined ? { Result: options.result } : {}),
      ...(options.resultPath ? { ResultPath: options.resultPath } : {}),
      Next: options.next,
    },
  };
}

/** A rule comparing a variable with a string (StringEquals) or a boolean (BooleanEquals). */
export function when(variable: string, value: string | boolean, next: string): ChoiceRule {
  return typeof value === 'string' ? { Variable: variable, StringEquals: value, Next: next } : { Variable: variable, BooleanEquals: value, Next: next };
}

export function choice(name: string, comment: string, choices: ChoiceRule[], otherwise: string): OtherState {
  return { type: 'Choice', name, fields: { Comment: comment, Choices: choices, Default: otherwise } };
}

export function wait(name: string, comment: string, secondsPath: string, next: string): OtherState {
  return { type: 'Wait', name, fields: { Comment: comment, SecondsPath: secondsPath, Next: next } };
}

export function succeed(name: string, comment: string): OtherState {
  return { type: 'Succeed', name, fields: { Comment: comment } };
}

/** An end in failure the machine itself decides; `cause` starting with "$." is read from the state. */
export function fail(name: string, options: { comment?: string; error: string; cause: string }): OtherState {
  return {
    type: 'Fail',
    name,
    fields: {
      ...(options.comment ? { Comment: options.comment } : {}),
      Error: options.error,
      ...(options.cause.startsWith('$.') ? { CausePath: options.cause } : { Cause: options.cause }),
    },
  };
}

/** An inline Map: one run of `iterator` per item, `maxConcurrency` at a time. */
export function map(
  name: string,
  comment: string,
  options: { itemsPath: string; maxConcurrency: number; parameters: Parameters; iterator: Flow; resultPath: string | null; next: string },
): OtherState & { iterator: Flow } {
  return {
    type: 'Map',
    name,
    iterator: options.iterator,
    fields: {
      Comment: comment,
      ItemsPath: options.itemsPath,
      MaxConcurrency: options.maxConcurrency,
      Parameters: options.parameters,
      Iterator: null, // rendered by the machine
      ResultPath: options.resultPath,
      Next: options.next,
    },
  };
}
