import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { classifyError } from '../../core/errors/index.js';
import { createLogger, groupContext, type Logger } from '../../core/log/index.js';
import type { WorkflowState } from './workflow-state.js';

export interface StepContext {
  log: Logger;
  lambda?: Context;
}

/**
 * Wires one workflow step as a Lambda handler: a logger that carries the group and the execution, and error
 * translation so that whatever the logic throws reaches Step Functions as a typed error (its class name is the
 * error type that Retry and Catch match) with the original kept as its cause.
 */
export function workflowStep<Input extends Partial<WorkflowState>, Output>(
  stepName: string,
  logic: (input: Input, context: StepContext) => Promise<Output>,
) {
  const base = createLogger({ component: 'workflow', step: stepName });
  return middy<Input, Output, Error, Context>().handler(async (input, lambda) => {
    const log = base.child({
      ...(input.change ? groupContext(input.change.group) : {}),
      ...(input.execution ? { executionArn: input.execution.arn } : {}),
    });
    log.debug('step started');
    try {
      const output = await logic(input, { log, lambda });
      log.info('step succeeded');
      return output;
    } catch (error) {
      const typed = classifyError(error, stepName);
      log.error('step failed', { error: typed, errorType: typed.name, retryable: typed.kind === 'retryable' });
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
