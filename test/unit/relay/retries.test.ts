// Issue 14, defects 4 and 6: a group never stays Running for ever, and retryable failures are retried a bounded
// number of times with a growing delay, after which the group is Error and says it gave up.
import type { InstanceGroup } from '../../../core/spec/types.js';
import { statusAfter, type StatusReport } from '../../../core/status/index.js';
import { EXECUTION_OVER_AFTER_MS, gaveUp, MAX_AUTOMATIC_ATTEMPTS, retryDelayMs } from '../../../core/status/retry.js';
import { decision } from '../../../in-cluster-relay/decide.js';
import { FINALIZER } from '../../../core/names/index.js';

type Status = NonNullable<InstanceGroup['status']>;
const now = Date.parse('2026-06-01T12:00:00Z');

function group(status: Status, deleting = false): InstanceGroup {
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: {
      namespace: 'ns',
      name: 'g',
      uid: 'u1',
      generation: 2,
      resourceVersion: '9',
      finalizers: [FINALIZER],
      ...(deleting ? { deletionTimestamp: '2026-06-01T00:00:00Z' } : {}),
    },
    spec: { provisioner: 'eks-cf' },
    status,
  } as unknown as InstanceGroup;
}

const running = (startedAt: number, operation: 'apply' | 'delete' = 'apply'): Status =>
  ({
    lastExecution: { generation: 2, operation, attempt: 1, result: 'Running' },
    conditions: [{ type: 'Progressing', status: 'True', reason: 'Reconciling', message: '', lastTransitionTime: new Date(startedAt).toISOString() }],
  }) as unknown as Status;

describe('StuckRunning: an execution that ended without a report does not hold its group for ever', () => {
  it('a Running report older than any execution can run is followed by the next attempt', () => {
    const stale = group(running(now - EXECUTION_OVER_AFTER_MS - 60_000));
    expect(decision(stale, 'resync', now)).toEqual({ operation: 'apply', reason: 'resync', attempt: 2 });
    const staleDelete = group(running(now - EXECUTION_OVER_AFTER_MS - 60_000, 'delete'), true);
    expect(decision(staleDelete, 'resync', now)).toEqual({ operation: 'delete', reason: 'resync', attempt: 2 });
  });

  it('a Running report within the execution timeout is left alone, and watch events never retry', () => {
    expect(decision(group(running(now - 60_000)), 'resync', now)).toBeUndefined();
    expect(decision(group(running(now - EXECUTION_OVER_AFTER_MS - 60_000)), 'watch', now)).toBeUndefined();
  });
});

describe('AttemptCap: retryable failures are retried a bounded number of times', () => {
  const failed = (attempt: number, retryable = true) =>
    group({ lastExecution: { generation: 2, operation: 'apply', attempt, result: 'Failed', retryable } } as unknown as Status);

  it(`re-sends attempts 2..${MAX_AUTOMATIC_ATTEMPTS}, then stops`, () => {
    for (let attempt = 1; attempt < MAX_AUTOMATIC_ATTEMPTS; attempt++) {
      expect(decision(failed(attempt), 'resync', now)).toMatchObject({ attempt: attempt + 1 });
    }
    expect(decision(failed(MAX_AUTOMATIC_ATTEMPTS), 'resync', now)).toBeUndefined();
  });

  it('a replay after giving up starts a new block of attempts', () => {
    expect(gaveUp(MAX_AUTOMATIC_ATTEMPTS + 1)).toBe(false);
    expect(decision(failed(MAX_AUTOMATIC_ATTEMPTS + 1), 'resync', now)).toMatchObject({ attempt: MAX_AUTOMATIC_ATTEMPTS + 2 });
    expect(gaveUp(2 * MAX_AUTOMATIC_ATTEMPTS)).toBe(true);
  });

  it('the last attempt reports Error, not retryable, saying it gave up', () => {
    const report: StatusReport = {
      phase: 'failed',
      execution: { arn: 'a', name: 'n', consoleUrl: 'u', generation: 2, operation: 'apply', attempt: MAX_AUTOMATIC_ATTEMPTS },
      reason: 'TransientFailure',
      message: 'Creating stack s: throttled',
      step: 'Create Or Update Stack',
      retryable: true,
    };
    const status = statusAfter(undefined, report, new Date(now).toISOString());
    expect(status.currentState).toBe('Error');
    expect(status.lastExecution).toMatchObject({ result: 'Failed', retryable: false });
    expect(status.conditions?.find((c) => c.type === 'Ready')?.message).toContain(`gave up after ${MAX_AUTOMATIC_ATTEMPTS} attempts`);
    const earlier = statusAfter(undefined, { ...report, execution: { ...report.execution, attempt: 2 } }, new Date(now).toISOString());
    expect(earlier.lastExecution).toMatchObject({ retryable: true });
  });

  it('the delay before the next attempt grows, and is capped', () => {
    const delays = [1, 2, 3, 4].map((failedAttempt) => retryDelayMs(failedAttempt, 60_000, 3600_000));
    expect(delays[0]).toBe(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);
    expect(retryDelayMs(5, 3600_000, 3600_000)).toBe(3600_000);
  });
});
