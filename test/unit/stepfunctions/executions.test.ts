import { RetryableError, TerminalError } from '../../../core/errors/index.js';
import { REDRIVE_ENTRY } from '../../../local/stepfunctions/index.js';
import { asl, newRuntime, recorder, taskEvents, types } from './helpers.js';

describe('local Step Functions runtime: executions', () => {
  describe('StartExecution, as in AWS', () => {
    const slow = () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const sfn = newRuntime({ functions: { CheckStackFunctionArn: async () => (await gate, { done: true }) } });
      return { sfn, release };
    };

    it('returns the running execution for the same name and input (no second run)', async () => {
      const { sfn, release } = slow();
      const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
      const first = await sfn.startExecution({ stateMachineArn, name: 'same', input: '{"a":1,"b":2}' });
      const again = await sfn.startExecution({ stateMachineArn, name: 'same', input: '{ "b": 2, "a": 1 }' });
      expect(again).toEqual(first);
      expect((await sfn.listExecutions({ stateMachineArn })).executions).toHaveLength(1);
      release();
      await sfn.waitForIdle();
    });

    it('refuses the same name with a different input: ExecutionAlreadyExists', async () => {
      const { sfn, release } = slow();
      const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
      const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'same', input: '{"a":1}' });
      await expect(sfn.startExecution({ stateMachineArn, name: 'same', input: '{"a":2}' })).rejects.toMatchObject({
        name: 'ExecutionAlreadyExists',
        message: `Execution Already Exists: '${executionArn}'`,
      });
      release();
      await sfn.waitForIdle();
    });

    it('refuses a name whose execution has ended, even with the same input', async () => {
      const { sfn, release } = slow();
      release();
      const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
      const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'done', input: '{}' });
      await sfn.waitForExecution(executionArn!);
      await expect(sfn.startExecution({ stateMachineArn, name: 'done', input: '{}' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    });

    it('scopes names to their state machine and validates names, input and ARNs', async () => {
      const { sfn, release } = slow();
      release();
      const a = await sfn.createStateMachineFromFile(asl('wait-loop'), { name: 'a' });
      const b = await sfn.createStateMachineFromFile(asl('wait-loop'), { name: 'b' });
      const ea = await sfn.startExecution({ stateMachineArn: a.stateMachineArn, name: 'n', input: '{}' });
      const eb = await sfn.startExecution({ stateMachineArn: b.stateMachineArn, name: 'n', input: '{}' });
      expect(ea.executionArn).not.toBe(eb.executionArn);
      await expect(sfn.startExecution({ stateMachineArn: a.stateMachineArn, name: 'has space', input: '{}' })).rejects.toMatchObject({ name: 'InvalidName' });
      await expect(sfn.startExecution({ stateMachineArn: a.stateMachineArn, name: 'x'.repeat(81), input: '{}' })).rejects.toMatchObject({ name: 'InvalidName' });
      await expect(sfn.startExecution({ stateMachineArn: a.stateMachineArn, input: '{not json' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
      await expect(sfn.startExecution({ stateMachineArn: a.stateMachineArn.replace(/:a$/, ':zzz'), input: '{}' })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
      await expect(sfn.describeExecution({ executionArn: 'arn:nope' })).rejects.toMatchObject({ name: 'InvalidArn' });
      await sfn.waitForIdle();
    });
  });

  it('records a history shaped like GetExecutionHistory: numbered events, inputs and outputs per state', async () => {
    const sfn = newRuntime({
      functions: { ReadGroupFunctionArn: async () => ({ generation: 3 }), WriteStatusFunctionArn: async () => ({ ok: true }) },
    });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('happy'), { roleArn: 'arn:aws:iam::123456789012:role/states' });
    const input = '{"group":{"name":"g"}}';
    const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'hist', input });
    await sfn.waitForExecution(executionArn!);
    const { events } = await sfn.getExecutionHistory({ executionArn });

    expect(types(events!)).toEqual([
      'ExecutionStarted',
      ...taskEvents('Succeeded'),
      'PassStateEntered',
      'PassStateExited',
      ...taskEvents('Succeeded'),
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    events!.forEach((e, i) => {
      expect(e.id).toBe(i + 1);
      expect(e.previousEventId).toBe(i);
      expect(e.timestamp).toBeInstanceOf(Date);
    });
    const at = (i: number) => events![i]!;
    expect(at(0).executionStartedEventDetails).toEqual({ input, inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/states' });
    expect(at(1).stateEnteredEventDetails).toEqual({ name: 'Read Group', input, inputDetails: { truncated: false } });
    expect(at(2).lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: 'arn:aws:lambda:us-west-2:123456789012:function:instance-manager-read-group',
      timeoutInSeconds: 60,
    });
    // The function got the Parameters, not the raw state input.
    expect(JSON.parse(at(2).lambdaFunctionScheduledEventDetails!.input!)).toMatchObject({ group: { name: 'g' }, execution: { name: 'hist' } });
    expect(at(4).lambdaFunctionSucceededEventDetails).toEqual({ output: '{"generation":3}', outputDetails: { truncated: false } });
    expect(JSON.parse(at(5).stateExitedEventDetails!.output!)).toEqual({ group: { name: 'g' }, read: { generation: 3 } });
    expect(at(5).stateExitedEventDetails!.name).toBe('Read Group');
    expect(JSON.parse(at(15).executionSucceededEventDetails!.output!)).toMatchObject({ written: { ok: true } });

    const reversed = await sfn.getExecutionHistory({ executionArn, reverseOrder: true, maxResults: 4 });
    expect(reversed.events!.map((e) => e.id)).toEqual([16, 15, 14, 13]);
    const next = await sfn.getExecutionHistory({ executionArn, reverseOrder: true, maxResults: 4, nextToken: reversed.nextToken });
    expect(next.events!.map((e) => e.id)).toEqual([12, 11, 10, 9]);
    const noData = await sfn.getExecutionHistory({ executionArn, includeExecutionData: false, maxResults: 2 });
    expect(noData.events![1]!.stateEnteredEventDetails).toEqual({ name: 'Read Group', inputDetails: { truncated: false } });
  });

  it('redrives a failed execution from the failed state, with the input it had, after the cause is fixed', async () => {
    let subnetExists = false;
    const prepare = recorder(() => ({ template: 'rendered' }));
    const apply = recorder((event) => {
      if (!subnetExists) throw new TerminalError('subnet-0abc does not exist');
      return { stack: 'CREATE_COMPLETE', sawRedriveCount: event.redriveCount };
    });
    const sfn = newRuntime({ functions: { PrepareFunctionArn: prepare.handler, ApplyFunctionArn: apply.handler } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('redrive'));
    const input = { group: 'g', generation: 4 };
    const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'redrive-me', input: JSON.stringify(input) });

    const failed = await sfn.waitForExecution(executionArn!);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TerminalError', redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    expect(JSON.parse(failed.cause!)).toMatchObject({ errorMessage: 'subnet-0abc does not exist' });
    const failedHistoryLength = (await sfn.getExecutionHistory({ executionArn })).events!.length;

    subnetExists = true;
    const { redriveDate } = await sfn.redriveExecution({ executionArn });
    expect(redriveDate).toBeInstanceOf(Date);
    const done = await sfn.waitForExecution(executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect(done.error).toBeUndefined();
    expect(done.redriveDate).toEqual(redriveDate);
    expect(JSON.parse(done.output!)).toEqual({ ...input, prepared: { template: 'rendered' }, applied: { stack: 'CREATE_COMPLETE', sawRedriveCount: 1 } });

    // Prepare ran once; Apply ran again with the same effective input, the Context Object intact.
    expect(prepare.calls).toHaveLength(1);
    expect(apply.calls).toHaveLength(2);
    expect(apply.calls[1]!.event).toEqual({ ...apply.calls[0]!.event, redriveCount: 1 });
    expect(apply.calls[1]!.event.original).toEqual(input);

    // One history: the first attempt, then the redrive, numbered on; the hidden entry state never shows.
    const { events } = await sfn.getExecutionHistory({ executionArn });
    const t = types(events!);
    expect(t.slice(0, failedHistoryLength).at(-1)).toBe('ExecutionFailed');
    expect(t.slice(failedHistoryLength)).toEqual([
      'ExecutionRedriven',
      ...taskEvents('Succeeded'),
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events![failedHistoryLength]!.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    expect(events![failedHistoryLength + 1]!.stateEnteredEventDetails!.name).toBe('Apply');
    expect(events!.map((e) => e.id)).toEqual(events!.map((_, i) => i + 1));
    expect(JSON.stringify(events)).not.toContain(REDRIVE_ENTRY);
    await expect(sfn.redriveExecution({ executionArn })).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
  });

  it('redrives a retried-out failure; a failure routed to a Fail state redrives from the Fail state, as AWS does', async () => {
    let healthy = false;
    const flaky = recorder(() => {
      if (!healthy) throw new RetryableError('throttled');
      return 'ok';
    });
    const sfn = newRuntime({ functions: { FlakyFunctionArn: flaky.handler, RecordFailureFunctionArn: async () => null } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('retry-catch'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'retried-out', input: '{}' });
    // RetryableError is retried 3 times and then not caught (the Catch matches TerminalError and States.TaskFailed only
    // — States.TaskFailed does match, so the failure path runs and the execution fails in the Fail state).
    const failed = await sfn.waitForExecution(executionArn!);
    expect(flaky.calls).toHaveLength(4);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'WorkflowFailed' });
    healthy = true;
    await sfn.redriveExecution({ executionArn });
    const again = await sfn.waitForExecution(executionArn!);
    expect(again).toMatchObject({ status: 'FAILED', error: 'WorkflowFailed', redriveCount: 1 });
    expect(flaky.calls).toHaveLength(4); // the failed state was the Fail state, not Call Flaky
  });

  it('stops a running execution (ABORTED) and redrives it from the state it was in', async () => {
    let calls = 0;
    const sfn = newRuntime({
      functions: { CheckStackFunctionArn: async () => ({ done: ++calls > 1 }) },
      timing: { waitMs: 60_000 },
    });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
    const { executionArn } = await sfn.startExecution({ stateMachineArn, name: 'stop-me', input: '{"x":1}' });
    await new Promise((r) => setTimeout(r, 100));
    const { stopDate } = await sfn.stopExecution({ executionArn, error: 'Operator', cause: 'stopped by a test' });
    expect(stopDate).toBeInstanceOf(Date);
    const stopped = await sfn.describeExecution({ executionArn });
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by a test', redriveStatus: 'REDRIVABLE' });
    const history = (await sfn.getExecutionHistory({ executionArn })).events!;
    expect(history.at(-2)!.type).toBe('WaitStateEntered');
    expect(history.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Operator', cause: 'stopped by a test' } });
    expect((await sfn.listExecutions({ stateMachineArn, statusFilter: 'ABORTED' })).executions!.map((e) => e.name)).toEqual(['stop-me']);
  });

  it('lists executions newest first, filtered by status, with paging', async () => {
    const sfn = newRuntime({ functions: { CheckStackFunctionArn: async (e: { fail?: boolean }) => {
      if (e.fail) throw new TerminalError('no');
      return { done: true };
    } } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
    for (let i = 0; i < 5; i++) {
      const { executionArn } = await sfn.startExecution({ stateMachineArn, name: `e${i}`, input: JSON.stringify({ fail: i % 2 === 1 }) });
      await sfn.waitForExecution(executionArn!);
      await new Promise((r) => setTimeout(r, 2));
    }
    const page1 = await sfn.listExecutions({ stateMachineArn, maxResults: 2 });
    expect(page1.executions!.map((e) => e.name)).toEqual(['e4', 'e3']);
    const page2 = await sfn.listExecutions({ stateMachineArn, maxResults: 2, nextToken: page1.nextToken });
    expect(page2.executions!.map((e) => e.name)).toEqual(['e2', 'e1']);
    const page3 = await sfn.listExecutions({ stateMachineArn, maxResults: 2, nextToken: page2.nextToken });
    expect(page3.executions!.map((e) => e.name)).toEqual(['e0']);
    expect(page3.nextToken).toBeUndefined();
    const failed = await sfn.listExecutions({ stateMachineArn, statusFilter: 'FAILED' });
    expect(failed.executions!.map((e) => [e.name, e.status])).toEqual([['e3', 'FAILED'], ['e1', 'FAILED']]);
    await expect(sfn.listExecutions({ stateMachineArn, nextToken: '!!' })).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('waitForIdle waits for every running execution; waitForExecution times out with a useful message', async () => {
    const sfn = newRuntime({ functions: { CheckStackFunctionArn: async () => ({ done: true }) }, timing: { waitMs: 0 } });
    const { stateMachineArn } = await sfn.createStateMachineFromFile(asl('wait-loop'));
    const arns = await Promise.all([1, 2, 3].map((i) => sfn.startExecution({ stateMachineArn, name: `w${i}`, input: '{}' })));
    await sfn.waitForIdle();
    for (const { executionArn } of arns) expect((await sfn.describeExecution({ executionArn })).status).toBe('SUCCEEDED');
    await expect(sfn.waitForExecution(`${stateMachineArn.replace('stateMachine', 'execution')}:never`, { timeoutMs: 50 })).rejects.toThrow(/never started/);
  });
});
