// The Lambdas' logs, metrics and traces through Powertools, as CloudWatch would receive them: JSON log lines with
// the Lambda context and the group, EMF documents with the workflow metrics, SDK clients through the instrumentation hook.
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { sampleChange } from '../stepfunctions/helpers.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.LOG_LEVEL = 'info';

const { step } = await import('../../../functions/kit/step.js');
const { metrics } = await import('../../../functions/kit/observability.js');
const { recordWorkflowResult, workflowResult } = await import('../../../functions/common/report-status/metrics.js');
const { recordHeartbeat } = await import('../../../functions/start-workflow/metrics.js');
const { awsClient } = await import('../../../core/aws/config.js');

const context = {
  functionName: 'instance-manager-prod-eks-cf-check-stack-progress',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:instance-manager-prod-eks-cf-check-stack-progress',
  memoryLimitInMB: '256',
  awsRequestId: 'req-42',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** Every JSON line the code writes to stdout while `run` runs. */
async function capture(run: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const record = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  // Powertools writes warnings and errors to stderr; Lambda sends both streams to CloudWatch Logs.
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(record), jest.spyOn(process.stderr, 'write').mockImplementation(record)];
  try {
    await run().catch(() => undefined);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, any>);
}

const emf = (lines: Record<string, any>[]) => lines.filter((l) => l._aws?.CloudWatchMetrics);

describe('workflow steps through Powertools', () => {
  const change = sampleChange({}, { namespace: 'team-a', name: 'workers', uid: 'uid-1', generation: 3 });
  const execution = { arn: 'arn:aws:states:us-west-2:123456789012:execution:eks-cf-apply:uid-1-3', name: 'uid-1-3' };

  it('logs with the Lambda context and the group and execution it concerns', async () => {
    const handler = step('eks-cf', 'Check Stack Progress', async (_input: { change: typeof change; execution: typeof execution }, { log }) => {
      log.info('looked at the stack', { stack: 's-1' });
      return { ok: true };
    });
    const lines = await capture(() => handler({ change, execution }, context));
    const line = lines.find((l) => l.message === 'looked at the stack');
    expect(line).toMatchObject({
      level: 'INFO',
      function_name: context.functionName,
      function_request_id: 'req-42',
      cold_start: expect.any(Boolean),
      step: 'Check Stack Progress',
      functionFolder: 'eks-cf/check-stack-progress',
      namespace: 'team-a',
      name: 'workers',
      uid: 'uid-1',
      generation: 3,
      executionArn: execution.arn,
      stack: 's-1',
    });
    expect(lines.find((l) => l.message === 'step succeeded')).toMatchObject({ function_request_id: 'req-42', uid: 'uid-1' });
  });

  it("labels the logs with the Task state's name when the input carries it, else with the step's name", async () => {
    const handler = step('eks-managed', 'Update Node Group', async (_input: { change: typeof change; execution: typeof execution; stateName?: string }, { log }) => {
      log.info('sent the update');
      return { ok: true };
    });
    const fromState = await capture(() => handler({ change, execution, stateName: 'Update Kubernetes Version' }, context));
    expect(fromState.find((l) => l.message === 'sent the update')).toMatchObject({ step: 'Update Kubernetes Version', functionFolder: 'eks-managed/update-node-group' });
    const direct = await capture(() => handler({ change, execution }, context));
    expect(direct.find((l) => l.message === 'sent the update')).toMatchObject({ step: 'Update Node Group', functionFolder: 'eks-managed/update-node-group' });
  });

  it('throws the typed error (its class name is what Retry and Catch match), keeping the original as its cause', async () => {
    const original = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const handler = step('common', 'Report Status', async () => {
      throw original;
    });
    let thrown: unknown;
    await capture(() => handler({ change, execution, stateName: 'Report Ready' }, context).catch((e: unknown) => (thrown = e)));
    expect(thrown).toMatchObject({ name: 'RetryableError', cause: original, message: expect.stringContaining('Report Ready: Rate exceeded') });
  });

  it('counts a failure in StepErrors by step and error type, and logs the typed error', async () => {
    const handler = step('eks-cf', 'Create Or Update Stack', async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    const lines = await capture(() => handler({ change, execution }, { ...context, awsRequestId: 'req-43' }));
    const failed = lines.find((l) => l.message === 'step failed');
    expect(failed).toMatchObject({ level: 'ERROR', function_request_id: 'req-43', errorType: expect.any(String), error: { message: expect.stringContaining('Rate exceeded') } });
    const [doc] = emf(lines).filter((d) => 'StepErrors' in d);
    expect(doc).toMatchObject({ StepErrors: 1, step: 'Create Or Update Stack', errorType: failed!.errorType, service: 'instance-manager' });
    expect(doc!._aws.CloudWatchMetrics[0].Namespace).toBe('InstanceManager');
    expect(doc!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'step', 'errorType']]);
  });
});

describe('workflow result metrics (report-status)', () => {
  const started = Date.parse('2026-01-01T00:00:00.000Z');
  const input = (report: any) => ({
    change: sampleChange({ provisioner: 'eks-managed', operation: 'apply', sentAt: new Date(started).toISOString() }),
    execution: { arn: 'arn:x', name: 'x' },
    report,
  });

  it('knows which reports end a workflow', () => {
    expect(workflowResult(input({ phase: 'started' }))).toBeUndefined();
    expect(workflowResult(input({ phase: 'deleting' }))).toBeUndefined();
    expect(workflowResult(input({ phase: 'ready', observed: {} }))).toEqual({ result: 'Ready', reason: 'Ready' });
    expect(workflowResult(input({ phase: 'failed', reason: 'SubnetNotFound', message: 'm', retryable: false }))).toEqual({ result: 'Failed', reason: 'SubnetNotFound' });
  });

  it('emits WorkflowResults and WorkflowDuration by provisioner, result and reason', async () => {
    const lines = await capture(async () => {
      recordWorkflowResult(metrics, input({ phase: 'failed', reason: 'SubnetNotFound', message: 'm', retryable: false }), started + 90_000);
      metrics.publishStoredMetrics();
    });
    const [doc] = emf(lines);
    expect(doc).toMatchObject({ WorkflowResults: 1, WorkflowDuration: 90_000, provisioner: 'eks-managed', operation: 'apply', result: 'Failed', reason: 'SubnetNotFound' });
    expect(doc!._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['service', 'provisioner', 'operation', 'result'],
      ['service', 'provisioner', 'result', 'reason'],
    ]);
    const units = Object.fromEntries(doc!._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit]));
    expect(units).toEqual({ WorkflowResults: 'Count', WorkflowDuration: 'Milliseconds' });
  });

  it('records nothing for a report that does not end the workflow', () => {
    const calls: unknown[] = [];
    const sink = { addDimensions: (d: unknown) => calls.push(d), addMetric: (n: unknown) => calls.push(n) } as never;
    expect(recordWorkflowResult(sink, input({ phase: 'started' }))).toBe(false);
    expect(calls).toEqual([]);
  });
});

describe('relay heartbeats (start-workflow)', () => {
  it('emits RelayHeartbeats in total and per cluster', async () => {
    const lines = await capture(async () => {
      recordHeartbeat(metrics, { version: 1, cluster: { name: 'prod-1' }, identity: 'relay-0', sentAt: new Date().toISOString() });
      metrics.publishStoredMetrics();
    });
    const docs = emf(lines).filter((d) => d.RelayHeartbeats === 1);
    // The alarm's metric ([service]) and the dashboard's ([service, cluster]).
    expect(docs.map((d) => d._aws.CloudWatchMetrics[0].Dimensions).sort()).toEqual([[['service']], [['service', 'cluster']]]);
    expect(docs.find((d) => d.cluster)).toMatchObject({ cluster: 'prod-1', service: 'instance-manager' });
  });
});

describe('SDK clients', () => {
  it('go through the instrumentation the Lambdas register (X-Ray capture in Lambda, unchanged elsewhere)', () => {
    const client = { middlewareStack: { add: () => undefined, use: () => undefined }, config: {} };
    expect(awsClient(client)).toBe(client);
  });
});
