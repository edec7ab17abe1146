// The step kit: a workflow step's handler is one line, `export const handler = step('eks-cf', 'Delete Stack',
// deleteStack);`, and the kit does the rest once for every step:
//
// - observability (kit/observability.ts): the trace segment, the Lambda context in the logs, one EMF flush;
// - stepContext(): the step's logger, carrying namespace, name, uid, generation, executionArn, the log label and
//   the function's folder, and the trace annotations;
// - stepErrors(): whatever the logic throws reaches Step Functions as one of core/errors' typed errors (its class
//   name is the error type Retry and Catch match), the original kept as its cause, counted in StepErrors.
//
// The log label is the Task state's name: the state machines pass `"stateName.$": "$$.State.Name"` in each Task's
// input, so the one function behind "Update Tags" and "Update Kubernetes Version" logs each under its own name. An
// input without it (an older machine, a direct invoke) logs under the step's declared name.
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { classifyError } from '../../core/errors/index.js';
import { groupContext, type Logger } from '../../core/log/index.js';
import { stepFolder } from '../../core/names/functions.js';
import type { WorkflowState } from '../shared/workflow-state.js';
import { adaptLogger, metrics, MetricUnit, observability, powertoolsLogger, tracer } from './observability.js';

/** Where a step's folder lives: its provisioner's folder, or common/ for the steps several provisioners share. */
export type StepScope = 'eks-cf' | 'eks-managed' | 'eks-fargate' | 'common';

export interface StepContext {
  log: Logger;
  lambda?: Context;
}

/** What the kit reads from any step's input (the rest is the step's own). */
export interface StepInput extends Partial<WorkflowState> {
  stateName?: string;
}

export type StepLogic<Input, Output> = (input: Input, context: StepContext) => Promise<Output>;

interface StepRequestContext extends Context {
  stepLog?: Logger;
  stepLabel?: string;
}

/** The log label of one invocation: the Task state's name when the input carries it, else the step's name. */
export function stepLabel(input: StepInput | undefined, stepName: string): string {
  const stateName = input?.stateName;
  return typeof stateName === 'string' && stateName ? stateName : stepName;
}

/** Builds the invocation's logger and trace annotations before the logic runs; logs its success after. */
export function stepContext(scope: StepScope, stepName: string): MiddlewareObj<StepInput, unknown, Error, StepRequestContext> {
  const functionFolder = stepFolder(scope === 'common' ? undefined : scope, stepName);
  return {
    before: (request) => {
      const label = stepLabel(request.event, stepName);
      const group = request.event?.change?.group;
      const execution = request.event?.execution;
      const log = adaptLogger(powertoolsLogger, {
        component: 'workflow',
        step: label,
        functionFolder,
        ...(group ? groupContext(group) : {}),
        ...(execution ? { executionArn: execution.arn } : {}),
      });
      request.context.stepLog = log;
      request.context.stepLabel = label;
      tracer.putAnnotation('step', label);
      if (group) {
        tracer.putAnnotation('namespace', group.namespace);
        tracer.putAnnotation('name', group.name);
      }
      log.debug('step started');
    },
    after: (request) => {
      request.context.stepLog?.info('step succeeded');
    },
  };
}

/** Translates a thrown error into core/errors' typed error once, logs it and counts it by step and error type. */
export function stepErrors(stepName: string): MiddlewareObj<StepInput, unknown, Error, StepRequestContext> {
  return {
    onError: (request) => {
      const label = request.context.stepLabel ?? stepLabel(request.event, stepName);
      const typed = classifyError(request.error, label);
      const log = request.context.stepLog ?? adaptLogger(powertoolsLogger, { component: 'workflow', step: label });
      log.error('step failed', { error: typed, errorType: typed.name, retryable: typed.kind === 'retryable' });
      metrics.addDimensions({ step: label, errorType: typed.name });
      metrics.addMetric('StepErrors', MetricUnit.Count, 1);
      // middy rethrows request.error when no middleware supplies a response.
      request.error = typed;
    },
  };
}

/**
 * One workflow step as a Lambda handler: the logic with observability, logging context and error classification.
 * Middlewares run in `use` order before the handler and in reverse after it (and on error), so the error is typed
 * and counted before Powertools flushes the metrics.
 */
export function step<Input extends StepInput, Output>(scope: StepScope, stepName: string, logic: StepLogic<Input, Output>) {
  return middy<Input, Output, Error, StepRequestContext>()
    .use(observability())
    .use(stepErrors(stepName) as MiddlewareObj<Input, Output, Error, StepRequestContext>)
    .use(stepContext(scope, stepName) as MiddlewareObj<Input, Output, Error, StepRequestContext>)
    .handler((input, lambda) => logic(input, { log: lambda.stepLog!, lambda }));
}

/**
 * The wait loop's count for the resource it now waits on: one more than the last check's when that check was of the
 * same resource, else 1 (the loop has moved on to another one).
 */
export function nextPoll(lastTarget: string | undefined, lastPolls: number | undefined, target: string): number {
  return (lastTarget === target ? (lastPolls ?? 0) : 0) + 1;
}
