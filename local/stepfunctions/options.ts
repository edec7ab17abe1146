// The settings of a local Step Functions service and of one state machine created in it.
import type { Logger } from '../../core/log/index.js';
import type { TimingOptions } from './definition.js';
import type { FunctionHandlers, TaskHandlers } from './lambda.js';

export interface LocalStepFunctionsOptions {
  /** Default: AWS_REGION / AWS_DEFAULT_REGION / us-west-2. */
  region?: string;
  /** Default 123456789012 (moto's account). */
  account?: string;
  /** Handlers by Task state name (all state machines). */
  handlers?: TaskHandlers;
  /** Handlers by function name (`instance-manager-validate`) or placeholder (`ValidateFunctionArn`). */
  functions?: FunctionHandlers;
  /** Prefix of the function names that `${XxxFunctionArn}` becomes (default `instance-manager-`). */
  functionNamePrefix?: string;
  /** Extra `${Name}` placeholders and their values. */
  substitutions?: Record<string, string>;
  /** What to do with a Lambda Task that has no handler: refuse the machine (default) or fail at run time. */
  unboundTasks?: 'error' | 'fail';
  /** Wait states and Retry pauses, scaled down (default: every Wait 10 ms, retry pauses × 0.001). */
  timing?: TimingOptions;
  logger?: Logger;
}

export interface CreateLocalStateMachineInput {
  name: string;
  /** ASL as a JSON string or an object; `${XxxFunctionArn}` placeholders are substituted. */
  definition: string | object;
  roleArn?: string;
  type?: 'STANDARD' | 'EXPRESS';
  /** Handlers for this machine only; they take precedence over the service's. */
  handlers?: TaskHandlers;
  functions?: FunctionHandlers;
  substitutions?: Record<string, string>;
  timing?: TimingOptions;
}
