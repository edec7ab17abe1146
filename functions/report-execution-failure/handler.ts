// Lambda entry point: the EventBridge rule on Step Functions "Execution Status Change" events (FAILED, TIMED_OUT,
// ABORTED) of this stack's state machines targets this function. See report.ts.
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { classifyError } from '../../core/errors/index.js';
import { createLogger } from '../../core/log/index.js';
import { sfn } from '../kit/clients.js';
import { clusterAccess } from '../kit/kube.js';
import { reportExecutionFailure, type ExecutionStatusChange, type ReportOutcome } from './report.js';

const logger = createLogger({ component: 'report-execution-failure' });

export const handler = middy<ExecutionStatusChange, ReportOutcome, Error, Context>().handler(async (event, context) => {
  const log = logger.child({ awsRequestId: context.awsRequestId });
  try {
    return await reportExecutionFailure(event, {
      sfn: sfn(),
      clusterAccess: clusterAccess(),
      log,
      // Leave the last try room to finish inside the function's time-out.
      ...(typeof context.getRemainingTimeInMillis === 'function' ? { retryForMs: Math.max(0, context.getRemainingTimeInMillis() - 20_000) } : {}),
    });
  } catch (error) {
    // EventBridge retries the invocation (the rule's retry policy) on a thrown error.
    const typed = classifyError(error, 'Reporting a failed execution');
    log.error('could not report a failed execution', { error: typed, executionArn: event.detail?.executionArn });
    throw typed;
  }
});
