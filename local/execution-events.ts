// Emulation of the EventBridge rule on Step Functions "Execution Status Change" events: moto's EventBridge receives
// no events from the local Step Functions runtime, so this module listens to the runtime's execution changes and,
// for every execution that ends FAILED, TIMED_OUT or ABORTED (once per run: a redriven execution that fails again
// is reported again), builds the event AWS would send (source aws.states, the same detail fields) and hands it to
// the rule's target, the report-execution-failure Lambda's code. Failed deliveries are retried with backoff, as a
// rule's retry policy does.
import { backoffDelay, sleep } from '../core/backoff/index.js';
import type { Logger } from '../core/log/index.js';
import { EXECUTION_STATUS_CHANGE, REPORTED_STATUSES, type ExecutionStatusChange } from '../functions/report-execution-failure/report.js';
import type { LocalStepFunctions } from './stepfunctions/index.js';

/** Pauses between delivery attempts of one event: 100 ms doubling to 2 s. */
const DELIVERY_RETRY = { initialMs: 100, maxMs: 2000, jitter: 0 };

export interface ExecutionEventsOptions {
  stepFunctions: LocalStepFunctions;
  /** The rule's target. */
  deliver: (event: ExecutionStatusChange) => Promise<unknown>;
  logger: Logger;
  /** Deliveries per event before it is dropped (default 8). */
  maxAttempts?: number;
}

export interface ExecutionEvents {
  /** Resolves when every event emitted so far has been delivered or dropped. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function forwardExecutionFailures(options: ExecutionEventsOptions): ExecutionEvents {
  const emitted = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const deliver = async (event: ExecutionStatusChange) => {
    const max = options.maxAttempts ?? 8;
    for (let attempt = 1; attempt <= max && !stopped; attempt++) {
      try {
        await options.deliver(event);
        return;
      } catch (error) {
        options.logger.warn('execution status event not delivered; retrying', { executionArn: event.detail.executionArn, attempt, error });
        await sleep(backoffDelay(attempt, DELIVERY_RETRY));
      }
    }
    options.logger.error('execution status event dropped', { executionArn: event.detail.executionArn });
  };

  const unsubscribe = options.stepFunctions.onExecutionChange((record) => {
    if (stopped || !(REPORTED_STATUSES as readonly string[]).includes(record.status)) return;
    const key = `${record.executionArn}#${record.redriveCount}`;
    if (emitted.has(key)) return;
    emitted.add(key);
    const event: ExecutionStatusChange = {
      source: 'aws.states',
      'detail-type': EXECUTION_STATUS_CHANGE,
      detail: {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        input: record.input,
        error: record.error ?? null,
        cause: record.cause ?? null,
      },
    };
    const p = deliver(event).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });

  return {
    idle: async () => {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    stop: async () => {
      unsubscribe();
      stopped = true;
      await Promise.all([...inFlight]);
    },
  };
}
