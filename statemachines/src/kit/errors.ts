// Retry and Catch from the error classes of core/errors. Step Functions matches an error by its exact name, not by
// inheritance, so a class is listed by name wherever its policy applies.
//
// - Lambda's own service errors: the standard policy below.
// - Retryable classes: each with its class's policy, or the policy a step names for its resource (busy).
// - Terminal classes: never retried. With no Catch for them the execution fails at the step, so the console's
//   Redrive resumes there, and the rule on execution status changes reports the failure onto the group
//   (functions/report-execution-failure). That is the failure path; a Catch would move the failure off the step.
import { ERROR_CLASSES, NoLongerWantedError, ResourceBusyError, type ErrorClass, type RetryPolicy } from '../../../core/errors/index.js';
import type { Catcher, Retrier } from './asl.js';

/** The errors Lambda reports when the invoke itself failed (the function never ran, or was throttled). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

export const LAMBDA_RETRY: RetryPolicy = { IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' };

/**
 * Lambda's name for a function that ran out of time. Every step is idempotent, so the workflow tries it again (twice)
 * before the execution fails; a step that keeps timing out still reaches the failure report.
 */
export const LAMBDA_TIMED_OUT = 'Sandbox.Timedout';
export const TIMED_OUT_RETRY: RetryPolicy = { IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' };

/** Step Functions' catch-all name. */
export const ALL_ERRORS = 'States.ALL';

export interface RetryOptions {
  /** The policy for ResourceBusyError at this step, when its resource stays busy longer than a transient error. */
  busy?: RetryPolicy | undefined;
  /** Only Lambda's service errors (a callback Task, whose every failure falls back to a check). */
  lambdaOnly?: boolean | undefined;
}

const retrier = (names: string[], policy: RetryPolicy): Retrier => ({ ErrorEquals: names, ...policy });
const samePolicy = (a: RetryPolicy, b: RetryPolicy) => JSON.stringify(a) === JSON.stringify(b);

/** A Task's Retry: Lambda's errors first, then the step's own busy policy, then the retryable classes by policy. */
export function retryFor(options: RetryOptions = {}): Retrier[] {
  const out = [retrier([...LAMBDA_SERVICE_ERRORS], LAMBDA_RETRY)];
  if (options.lambdaOnly) return out;
  out.push(retrier([LAMBDA_TIMED_OUT], TIMED_OUT_RETRY));
  const policyOf = (c: ErrorClass): RetryPolicy => {
    if (c === ResourceBusyError && options.busy) return options.busy;
    if (!c.retry) throw new Error(`${c.errorName} is retryable but has no retry policy`);
    return c.retry;
  };
  // Classes with the same policy share one retrier; a step's own policy comes before the shared ones.
  const groups: { policy: RetryPolicy; names: string[] }[] = [];
  const retryable = ERROR_CLASSES.filter((c) => c.kind === 'retryable');
  const own = retryable.filter((c) => c === ResourceBusyError && options.busy);
  for (const c of [...own, ...retryable.filter((c) => !own.includes(c))]) {
    const policy = policyOf(c);
    const group = groups.find((g) => samePolicy(g.policy, policy));
    if (group) group.names.push(c.errorName);
    else groups.push({ policy, names: [c.errorName] });
  }
  return [...out, ...groups.map((g) => retrier(g.names, g.policy))];
}

/** A mutating step's re-check found its generation unwanted: not a failure, the execution ends successfully. */
export function stopWhenNoLongerWanted(next: string): Catcher {
  return { ErrorEquals: [NoLongerWantedError.errorName], ResultPath: '$.stopped', Next: next };
}

/** Any failure goes on to `next`, with the error kept at resultPath (a best-effort report, a callback's fallback). */
export function continueOnAnyError(next: string, resultPath: string): Catcher {
  return { ErrorEquals: [ALL_ERRORS], ResultPath: resultPath, Next: next };
}
