import middy from '@middy/core';
import { RetryableError, TerminalError } from '../../../core/errors/index.js';
import type { FunctionHandlers } from '../../../local/stepfunctions/index.js';
import { asl, newRuntime, recorder, taskEvents, types } from './helpers.js';

describe('local Step Functions runtime: running ASL with in-process handlers', () => {
  it('runs the happy path, with placeholders bound to functions and a full Context Object', async () => {
    const read = recorder(() => ({ generation: 7 }));
    const write = recorder((event) => ({ wrote: event.name }));
    const sfn = newRuntime({ functions: { ReadGroupFunctionArn: read.handler, 'instance-manager-write-status': write.handler } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('happy'), { name: 'happy' });
    const input = { group: { namespace: 'default', name: 'hello' } };
    const { executionArn, startDate } = await sfn.startExecution({ stateMachineArn, name: 'run-1', input: JSON.stringify(input) });

    const done = await sfn.waitForExecution(executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      ...input,
      read: { generation: 7 },
      summary: { name: 'hello', generation: 7 },
      written: { wrote: 'hello' },
    });
    expect(executionArn).toBe('arn:aws:states:us-west-2:123456789012:execution:happy:run-1');

    // Context Object as AWS passes it.
    expect(read.calls).toHaveLength(1);
    const { event, context } = read.calls[0]!;
    expect(event.group).toEqual(input.group);
    expect(event.execution).toEqual({
      id: executionArn,
      name: 'run-1',
      input,
      startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      redriveCount: 0,
      stateMachineId: stateMachineArn,
      stateMachineName: 'happy',
    });
    expect(Math.abs(Date.parse(event.execution.startTime) - startDate!.getTime())).toBeLessThan(1000);

    // A plausible Lambda context.
    expect(context.functionName).toBe('instance-manager-read-group');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-west-2:123456789012:function:instance-manager-read-group');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(50_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(60_000);
    expect(write.calls[0]!.event).toEqual({ name: 'hello', generation: 7 });
    // The definition is stored with the placeholders substituted.
    const described = await sfn.describeStateMachine({ stateMachineArn });
    expect(described.definition).toContain('"arn:aws:lambda:us-west-2:123456789012:function:instance-manager-write-status"');
    expect(described.definition).not.toContain('${');
    await sfn.close();
  });

  it('binds by Task state name ahead of function name, and hands the handler a JSON copy', async () => {
    const byState = recorder((event) => {
      event.group.mutated = true;
      return { generation: 1, when: new Date(0), nothing: undefined };
    });
    const byFunction = recorder(() => ({ generation: 2 }));
    const sfn = newRuntime({ handlers: { 'Read Group': byState.handler }, functions: { ReadGroupFunctionArn: byFunction.handler, WriteStatusFunctionArn: async () => undefined } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('happy'));
    const input = { group: { name: 'g' } };
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
    const done = await sfn.waitForExecution(executionArn!);
    expect(byState.calls).toHaveLength(1);
    expect(byFunction.calls).toHaveLength(0);
    const output = JSON.parse(done.output!);
    expect(output.group).toEqual({ name: 'g' }); // the handler's mutation did not leak into the state data
    expect(output.read).toEqual({ generation: 1, when: '1970-01-01T00:00:00.000Z' }); // serialised like Lambda
    expect(output.written).toBeNull(); // undefined → null, as Lambda returns it
  });

  it('binds middy handlers as they are, with a Lambda context middy can use', async () => {
    const seen: string[] = [];
    const functions: FunctionHandlers = {
      ReadGroupFunctionArn: middy()
        .use({ before: (request) => void seen.push(`before ${request.context.functionName}`) })
        .handler(async (_event: unknown, context) => ({ generation: 1, remainingOk: context.getRemainingTimeInMillis() > 0 })),
      WriteStatusFunctionArn: middy().handler(async () => {
        throw new TerminalError('status write refused');
      }),
    };
    const sfn = newRuntime({ functions });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('happy'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{"group":{"name":"m"}}' });
    const done = await sfn.waitForExecution(executionArn);
    expect(seen).toEqual(['before instance-manager-read-group']);
    expect(done).toMatchObject({ status: 'FAILED', error: 'TerminalError' });
    const events = (await sfn.getExecutionHistory({ executionArn })).events!;
    expect(JSON.parse(events.find((e) => e.type === 'LambdaFunctionSucceeded')!.lambdaFunctionSucceededEventDetails!.output!)).toEqual({ generation: 1, remainingOk: true });
  });

  it('retries a RetryableError with the Retry block, fast, then succeeds', async () => {
    const flaky = recorder((_event, call) => {
      if (call <= 2) throw new RetryableError(`throttled (attempt ${call})`);
      return { ok: true };
    });
    const sfn = newRuntime({ functions: { FlakyFunctionArn: flaky.handler, RecordFailureFunctionArn: async () => ({}) } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('retry-catch'));
    const t0 = Date.now();
    const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'retry', input: '{"n":1}' });
    const done = await sfn.waitForExecution(executionArn!);
    expect(Date.now() - t0).toBeLessThan(2000); // IntervalSeconds 5 with BackoffRate 2 would be 15 s
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ n: 1, result: { ok: true } });
    expect(flaky.calls).toHaveLength(3);

    const { events } = await sfn.getExecutionHistory({ executionArn });
    expect(types(events!)).toEqual([
      'ExecutionStarted',
      ...taskEvents('Failed', 'Failed', 'Succeeded'),
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const failed = events!.find((e) => e.type === 'LambdaFunctionFailed')!.lambdaFunctionFailedEventDetails!;
    expect(failed.error).toBe('RetryableError');
    expect(JSON.parse(failed.cause!)).toMatchObject({ errorType: 'RetryableError', errorMessage: 'throttled (attempt 1)' });
  });

  it('catches a TerminalError into the failure path, which gets Error and Cause as AWS shapes them', async () => {
    const flaky = recorder(() => {
      throw new TerminalError('subnet-123 does not exist');
    });
    const recordFailure = recorder(() => ({ recorded: true }));
    const sfn = newRuntime({ functions: { FlakyFunctionArn: flaky.handler, RecordFailureFunctionArn: recordFailure.handler } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('retry-catch'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'catch', input: '{"n":2}' });
    const done = await sfn.waitForExecution(executionArn!);

    expect(flaky.calls).toHaveLength(1); // not retried: only RetryableError is
    expect(recordFailure.calls).toHaveLength(1);
    const { failure } = recordFailure.calls[0]!.event;
    expect(failure.Error).toBe('TerminalError');
    expect(JSON.parse(failure.Cause)).toMatchObject({ errorType: 'TerminalError', errorMessage: 'subnet-123 does not exist' });
    expect(done).toMatchObject({ status: 'FAILED', error: 'WorkflowFailed', cause: "Call Flaky failed; see the group's status" });

    const { events } = await sfn.getExecutionHistory({ executionArn });
    expect(types(events!)).toEqual(['ExecutionStarted', ...taskEvents('Failed'), ...taskEvents('Succeeded'), 'FailStateEntered', 'ExecutionFailed']);
    expect(events!.at(-1)!.executionFailedEventDetails).toEqual({ error: 'WorkflowFailed', cause: "Call Flaky failed; see the group's status" });
  });

  it('runs a Wait loop with the Wait scaled down', async () => {
    const check = recorder((_e, call) => ({ done: call >= 4 }));
    const sfn = newRuntime({ functions: { CheckStackFunctionArn: check.handler }, timing: { waitMs: 5 } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
    const t0 = Date.now();
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{}' });
    const done = await sfn.waitForExecution(executionArn!);
    expect(Date.now() - t0).toBeLessThan(2000); // 3 × 30 s in AWS
    expect(done.status).toBe('SUCCEEDED');
    expect(check.calls).toHaveLength(4);
    const { events } = await sfn.getExecutionHistory({ executionArn });
    expect(types(events!).filter((t) => t === 'WaitStateEntered')).toHaveLength(3);
    expect(types(events!).filter((t) => t === 'ChoiceStateExited')).toHaveLength(4);
  });

  it('keeps real Wait durations when asked (realTime)', async () => {
    const sfn = newRuntime({ functions: { CheckStackFunctionArn: async () => ({ done: false }) }, timing: { realTime: true } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{}' });
    await new Promise((r) => setTimeout(r, 200));
    expect((await sfn.describeExecution({ executionArn })).status).toBe('RUNNING');
    const events = (await sfn.getExecutionHistory({ executionArn })).events!;
    expect(types(events).at(-1)).toBe('WaitStateEntered'); // sitting in a 30 s Wait
    await sfn.close();
    expect((await sfn.describeExecution({ executionArn })).status).toBe('ABORTED');
  });

  it('runs Task states nested in Parallel and Map, with their events in the history', async () => {
    const sfn = newRuntime({
      functions: { EchoFunctionArn: async (e: unknown) => ({ echo: e }), DoubleFunctionArn: async (n: number) => n * 2 },
    });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('parallel-map'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{"items":[1,2,3]}' });
    const done = await sfn.waitForExecution(executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ items: [1, 2, 3], fanned: [{ echo: { items: [1, 2, 3] } }, 'right'], doubled: [2, 4, 6] });
    const t = types((await sfn.getExecutionHistory({ executionArn })).events!);
    expect(t.slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
    expect(t).toContain('ParallelStateSucceeded');
    expect(t.indexOf('ParallelStateExited')).toBeLessThan(t.indexOf('MapStateEntered'));
    expect(t.filter((x) => x === 'MapIterationStarted')).toHaveLength(3);
    expect(t.filter((x) => x === 'MapIterationSucceeded')).toHaveLength(3);
    expect(t.filter((x) => x === 'LambdaFunctionSucceeded')).toHaveLength(4);
    expect(t.slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  it('fails a Task with Lambda.ResourceNotFoundException when unbound tasks are allowed', async () => {
    const sfn = newRuntime({ unboundTasks: 'fail', functions: {} });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{}' });
    const done = await sfn.waitForExecution(executionArn!);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Lambda.ResourceNotFoundException');
    expect(done.cause).toContain('function:instance-manager-check-stack');
  });
});
