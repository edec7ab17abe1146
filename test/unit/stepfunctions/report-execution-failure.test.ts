// Issue 14, defects 4 and 12: an execution that ends FAILED, TIMED_OUT or ABORTED reaches its group's status through
// the execution status change rule, with the step it stopped at and the explained reason, even when the machine
// itself wrote nothing (a failure that stops at its step so that Redrive resumes there, a time-out, an abort).
import type { ClusterAccess } from '../../../core/kube/access.js';
import { KubeApiError, KubeRest } from '../../../core/kube/rest.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import { createLogger } from '../../../core/log/index.js';
import { reportExecutionFailure, type ExecutionStatusChange } from '../../../functions/report-execution-failure/report.js';
import { sampleChange } from './helpers.js';

const silent = createLogger({}, { level: 'error', sink: () => {} });

function cluster(object: InstanceGroup) {
  const kube = new KubeRest({ server: 'http://127.0.0.1:1' });
  const patches: any[] = [];
  kube.get = (async () => structuredClone(object)) as KubeRest['get'];
  kube.request = (async (method: string, path: string, options: { body?: any }) => {
    if (method === 'PATCH' && path.endsWith('/status')) {
      patches.push(options.body);
      object.status = options.body.find((op: { path: string }) => op.path === '/status').value;
      return structuredClone(object);
    }
    return {};
  }) as KubeRest['request'];
  return { access: { connect: async () => kube } as unknown as ClusterAccess, patches, object };
}

function history(events: any[]) {
  return { send: async () => ({ events: [...events].reverse() }) } as any;
}

const change = sampleChange({ attempt: 1 }, { generation: 2 });
const object = (): InstanceGroup =>
  ({
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { ...change.group },
    spec: change.spec,
    status: { lastExecution: { name: 'exec-1', generation: 2, operation: 'apply', attempt: 1, result: 'Running' } },
  }) as unknown as InstanceGroup;
const event = (status: string, extra: Partial<ExecutionStatusChange['detail']> = {}): ExecutionStatusChange => ({
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { executionArn: 'arn:aws:states:us-west-2:123456789012:execution:m:exec-1', name: 'exec-1', status, input: JSON.stringify(change), ...extra },
});

describe('report-execution-failure', () => {
  it('a step that failed the execution: Error, with the step, the explained reason and the console link', async () => {
    const c = cluster(object());
    const sfn = history([
      { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Create Or Update Stack' } },
      { type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error: 'AwsRejectedError', cause: JSON.stringify({ errorMessage: 'Creating stack s: bad template' }) } },
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'AwsRejectedError', cause: 'x' } },
    ]);
    const outcome = await reportExecutionFailure(event('FAILED'), { sfn, clusterAccess: c.access, log: silent });
    expect(outcome).toMatchObject({ reported: true, step: 'Create Or Update Stack', error: 'AwsRejectedError', written: true });
    expect(c.object.status).toMatchObject({
      currentState: 'Error',
      lastExecution: { name: 'exec-1', result: 'Failed', retryable: false, consoleUrl: expect.stringContaining('exec-1') },
    });
    const ready = c.object.status!.conditions!.find((cond) => cond.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'AwsRejected', message: 'Creating stack s: bad template in step "Create Or Update Stack"' });
  });

  it('a time-out and an abort are reported as retryable', async () => {
    for (const status of ['TIMED_OUT', 'ABORTED']) {
      const c = cluster(object());
      const sfn = history([{ type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Check Stack Progress' } }]);
      await reportExecutionFailure(event(status), { sfn, clusterAccess: c.access, log: silent });
      expect(c.object.status).toMatchObject({ currentState: 'Error', lastExecution: { result: 'Failed', retryable: true } });
    }
  });

  it('an execution whose own failure report reached the status is left alone', async () => {
    const o = object();
    o.status = { lastExecution: { name: 'exec-1', generation: 2, operation: 'apply', attempt: 1, result: 'Failed', retryable: false } } as never;
    const c = cluster(o);
    await expect(reportExecutionFailure(event('FAILED'), { sfn: history([]), clusterAccess: c.access, log: silent })).resolves.toMatchObject({
      reported: false,
      why: 'already-reported',
    });
    expect(c.patches).toEqual([]);
  });

  it('successes and executions of other machines are ignored', async () => {
    const c = cluster(object());
    await expect(reportExecutionFailure(event('SUCCEEDED'), { sfn: history([]), clusterAccess: c.access, log: silent })).resolves.toMatchObject({ reported: false });
    await expect(reportExecutionFailure(event('FAILED', { input: '{"other":true}' }), { sfn: history([]), clusterAccess: c.access, log: silent })).resolves.toMatchObject({
      reported: false,
      why: 'not-an-instancegroup-execution',
    });
  });

  it('a transient failure (the API server restarting, throttling) is tried again until the report is written', async () => {
    const c = cluster(object());
    let refused = 0;
    const access = {
      connect: async () => {
        if (refused++ < 3) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
        return c.access.connect({ name: 'x' });
      },
    } as unknown as ClusterAccess;
    const sfn = history([{ type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Check Stack Progress' } }]);
    const outcome = await reportExecutionFailure(event('TIMED_OUT'), { sfn, clusterAccess: access, log: silent, backoff: { initialMs: 1, maxMs: 5 } });
    expect(outcome).toMatchObject({ reported: true, written: true });
    expect(c.object.status).toMatchObject({ currentState: 'Error', lastExecution: { result: 'Failed', retryable: true } });
  });

  it('a terminal failure, or a transient one past the time allowed, is thrown for the invocation to fail', async () => {
    const forbidden = { connect: async () => Promise.reject(new KubeApiError(403, 'Forbidden', 'User "w" cannot get resource "instancegroups"')) } as unknown as ClusterAccess;
    await expect(reportExecutionFailure(event('FAILED'), { sfn: history([]), clusterAccess: forbidden, log: silent })).rejects.toMatchObject({ code: 403 });
    const down = { connect: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) } as unknown as ClusterAccess;
    await expect(reportExecutionFailure(event('FAILED'), { sfn: history([]), clusterAccess: down, log: silent, retryForMs: 50, backoff: { initialMs: 5, maxMs: 10 } })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
