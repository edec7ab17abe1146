import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.js';
import { REGION, newRuntime, recorder } from './helpers.js';

/** One callback Task: the function gets the token in its payload; Catch routes failures and timeouts. */
function callbackMachine(extra: Record<string, unknown> = {}) {
  return {
    StartAt: 'Wait For Callback',
    States: {
      'Wait For Callback': {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: '${HandOutFunctionArn}', Payload: { 'group.$': '$.group', 'taskToken.$': '$$.Task.Token' } },
        ResultPath: '$.callback',
        ...extra,
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'Timed Out' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' },
        ],
        End: true,
      },
      'Timed Out': { Type: 'Pass', End: true },
      Failed: { Type: 'Pass', End: true },
    },
  };
}

describe('local Step Functions: .waitForTaskToken and SendTask* through @aws-sdk/client-sfn', () => {
  let sfn: LocalStepFunctions;
  let client: SFNClient;
  const handOut = recorder(() => ({ accepted: true }));

  beforeAll(async () => {
    sfn = newRuntime({ functions: { HandOutFunctionArn: handOut.handler } });
    const url = await sfn.listen();
    client = new SFNClient({ endpoint: url, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await sfn.close();
  });

  /** Starts an execution and resolves with its ARN and the token its function was given. */
  async function start(machineArn: string, name: string): Promise<{ executionArn: string; token: string }> {
    const before = handOut.calls.length;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: JSON.stringify({ group: 'g1' }) }));
    while (handOut.calls.length === before) await new Promise((r) => setTimeout(r, 5));
    return { executionArn: executionArn!, token: handOut.calls.at(-1)!.event.taskToken as string };
  }

  it('hands the token to the function and resumes with the output SendTaskSuccess gives', async () => {
    const { stateMachineArn } = await sfn.createStateMachine({ name: 'callback-success', definition: callbackMachine() });
    const { executionArn, token } = await start(stateMachineArn, 'e1');
    expect(handOut.calls.at(-1)!.event).toEqual({ group: 'g1', taskToken: token });
    expect(token.length).toBeGreaterThan(100);
    expect(sfn.openTaskTokens(executionArn)).toEqual([{ token, executionArn, stateName: 'Wait For Callback' }]);

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ status: 'CREATE_COMPLETE' }) }));
    const done = await sfn.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ group: 'g1', callback: { status: 'CREATE_COMPLETE' } });

    // The token is spent: AWS answers TaskDoesNotExist; a token it never issued is InvalidToken.
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toMatchObject({ name: 'InvalidToken' });

    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    const scheduled = history.events!.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse(scheduled.parameters!).Payload.taskToken).toBe(token);
    expect(history.events!.map((e) => e.type)).toContain('TaskSucceeded');
  });

  it('fails the Task with the error and cause SendTaskFailure gives, which Catch matches', async () => {
    const { stateMachineArn } = await sfn.createStateMachine({ name: 'callback-failure', definition: callbackMachine() });
    const { executionArn, token } = await start(stateMachineArn, 'e1');
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' }))).rejects.toMatchObject({ name: 'InvalidOutput' });
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'StackFailed', cause: 'ROLLBACK_COMPLETE: subnet not found' }));
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).error).toEqual({ Error: 'StackFailed', Cause: 'ROLLBACK_COMPLETE: subnet not found' });
  });

  it('keeps waiting while heartbeats arrive, and times out as States.HeartbeatTimeout (caught as States.Timeout) when they stop', async () => {
    const { stateMachineArn } = await sfn.createStateMachine({
      name: 'callback-heartbeat',
      definition: callbackMachine({ HeartbeatSeconds: 1 }),
    });
    const alive = await start(stateMachineArn, 'alive');
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await client.send(new SendTaskHeartbeatCommand({ taskToken: alive.token }));
    }
    await client.send(new SendTaskSuccessCommand({ taskToken: alive.token, output: '{"ok":true}' }));
    expect(JSON.parse((await sfn.waitForExecution(alive.executionArn)).output!).callback).toEqual({ ok: true });

    const silentOne = await start(stateMachineArn, 'silent');
    const done = await sfn.waitForExecution(silentOne.executionArn);
    expect(JSON.parse(done.output!).timedOut.Error).toBe('States.HeartbeatTimeout');
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: silentOne.token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(client.send(new SendTaskHeartbeatCommand({ taskToken: silentOne.token }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('times out after TimeoutSeconds (scaled by timing.tokenTimeoutFactor) with States.Timeout', async () => {
    const { stateMachineArn } = await sfn.createStateMachine({
      name: 'callback-timeout',
      definition: callbackMachine({ TimeoutSeconds: 300 }),
      timing: { tokenTimeoutFactor: 0.0001 },
    });
    const { executionArn } = await start(stateMachineArn, 'e1');
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).timedOut.Error).toBe('States.Timeout');
    expect(sfn.openTaskTokens(executionArn)).toEqual([]);
  });

  it('closes the tokens of a stopped execution', async () => {
    const { stateMachineArn } = await sfn.createStateMachine({ name: 'callback-stop', definition: callbackMachine() });
    const { executionArn, token } = await start(stateMachineArn, 'e1');
    await sfn.stopExecution({ executionArn });
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('refuses a callback Task it cannot run: a non-Lambda resource with no handler bound by state name', async () => {
    const definition = {
      StartAt: 'Put',
      States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, End: true } },
    };
    await expect(sfn.createStateMachine({ name: 'callback-sqs', definition })).rejects.toMatchObject({ code: 'InvalidDefinition', message: expect.stringContaining('Put (arn:aws:states:::sqs:sendMessage.waitForTaskToken: bind it by state name') });
  });
});
