import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { classifyError } from '../../core/errors/index.js';
import { groupContext, type Logger } from '../../core/log/index.js';
import { adaptLogger, metrics, MetricUnit, observability, powertoolsLogger, tracer } from './observability.js';
import type { WorkflowState } from './workflow-state.js';

export interface StepContext {
  log: Logger;
  lambda?: Context;
}

/**
 * Wires one workflow step as a Lambda handler: Powertools' trace segment, logs with the Lambda context plus the
 * group and the execution, an EMF flush, and error translation so that whatever the logic throws reaches Step
 * Functions as a typed error (its class name is the error type that Retry and Catch match) with the original kept as
 * its cause. A failure counts in the StepErrors metric by step and error type.
 */
export function workflowStep<Input extends Partial<WorkflowState>, Output>(
  stepName: string,
  logic: (input: Input, context: StepContext) => Promise<Output>,
) {
  return middy<Input, Output, Error, Context>()
    .use(observability())
    .handler(async (input, lambda) => {
      const group = input.change?.group;
      const log = adaptLogger(powertoolsLogger, {
        component: 'workflow',
        step: stepName,
        ...(group ? groupContext(group) : {}),
        ...(input.execution ? { executionArn: input.execution.arn } : {}),
      });
      tracer.putAnnotation('step', stepName);
      if (group) {
        tracer.putAnnotation('namespace', group.namespace);
        tracer.putAnnotation('name', group.name);
      }
      log.debug('step started');
      try {
        const output = await logic(input, { log, lambda });
        log.info('step succeeded');
        return output;
      } catch (error) {
        const typed = classifyError(error, stepName);
        log.error('step failed', { error: typed, errorType: typed.name, retryable: typed.kind === 'retryable' });
        metrics.addDimensions({ step: stepName, errorType: typed.name });
        metrics.addMetric('StepErrors', MetricUnit.Count, 1);
        throw typed;
      }
    });
}

/**
 * The wait loop's count for the resource it now waits on: one more than the last check's when that check was of the
 * same resource, else 1 (the loop has moved on to another one).
 */
export function nextPoll(lastTarget: string | undefined, lastPolls: number | undefined, target: string): number {
  return (lastTarget === target ? (lastPolls ?? 0) : 0) + 1;
}
