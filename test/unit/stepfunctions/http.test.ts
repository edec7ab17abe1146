import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  paginateGetExecutionHistory,
} from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import { TerminalError } from '../../../core/errors/index.js';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.js';
import { REGION, asl, newRuntime } from './helpers.js';

describe('local Step Functions runtime over HTTP (JSON 1.0), with @aws-sdk/client-sfn', () => {
  let sfn: LocalStepFunctions;
  let client: SFNClient;
  let url: string;
  let applyFixed = false;

  beforeAll(async () => {
    sfn = newRuntime({
      functions: {
        PrepareFunctionArn: async () => ({ ready: true }),
        ApplyFunctionArn: async () => {
          if (!applyFixed) throw new TerminalError('role arn:aws:iam::123456789012:role/missing does not exist');
          return { applied: true };
        },
        CheckStackFunctionArn: async () => ({ done: false }),
      },
      timing: { waitMs: 60_000 },
    });
    url = await sfn.listen();
    client = new SFNClient({ endpoint: url, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await sfn.close();
  });

  it('creates state machines from ASL with placeholders and lists and describes them', async () => {
    const created = await client.send(new CreateStateMachineCommand({
      name: 'redrive',
      definition: readFileSync(asl('redrive'), 'utf8'),
      roleArn: 'arn:aws:iam::123456789012:role/states',
    }));
    expect(created.stateMachineArn).toBe('arn:aws:states:us-west-2:123456789012:stateMachine:redrive');
    expect(created.creationDate).toBeInstanceOf(Date);
    // Same name and definition: idempotent; a different definition: StateMachineAlreadyExists.
    await expect(client.send(new CreateStateMachineCommand({ name: 'redrive', definition: readFileSync(asl('redrive'), 'utf8'), roleArn: 'arn:aws:iam::123456789012:role/states' }))).resolves.toMatchObject({ stateMachineArn: created.stateMachineArn });
    await expect(client.send(new CreateStateMachineCommand({ name: 'redrive', definition: readFileSync(asl('wait-loop'), 'utf8'), roleArn: 'arn:aws:iam::123456789012:role/states' }))).rejects.toMatchObject({ name: 'StateMachineAlreadyExists' });

    await sfn.createStateMachineFromFile(asl('wait-loop'));
    const list = await client.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines!.map((m) => m.name)).toEqual(['redrive', 'wait-loop']);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name: 'redrive', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition!).States.Apply.Resource).toBe('arn:aws:lambda:us-west-2:123456789012:function:instance-manager-apply');
  });

  it('starts, describes, lists, pages history and redrives executions; errors come back as SDK exceptions', async () => {
    const stateMachineArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:redrive';
    const started = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'exec-1', input: '{"g":1}' }));
    expect(started.executionArn).toBe('arn:aws:states:us-west-2:123456789012:execution:redrive:exec-1');
    expect(started.startDate).toBeInstanceOf(Date);
    await sfn.waitForExecution(started.executionArn!);

    const failed = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TerminalError', name: 'exec-1', input: '{"g":1}', redriveStatus: 'REDRIVABLE' });
    expect(failed.stopDate!.getTime()).toBeGreaterThanOrEqual(failed.startDate!.getTime());
    expect(JSON.parse(failed.cause!).errorMessage).toContain('role/missing does not exist');

    const error = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'exec-1', input: '{"g":2}' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionAlreadyExists);
    expect((error as ExecutionAlreadyExists).$metadata.httpStatusCode).toBe(400);
    await expect(client.send(new DescribeExecutionCommand({ executionArn: `${started.executionArn}-nope` }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'FAILED' }));
    expect(listed.executions!.map((e) => e.name)).toEqual(['exec-1']);
    expect(listed.executions![0]!.startDate).toBeInstanceOf(Date);

    applyFixed = true;
    const redriven = await client.send(new RedriveExecutionCommand({ executionArn: started.executionArn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    await sfn.waitForExecution(started.executionArn!);
    const done = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(done.output!)).toMatchObject({ applied: { applied: true } });

    const pages: string[][] = [];
    for await (const page of paginateGetExecutionHistory({ client, pageSize: 5 }, { executionArn: started.executionArn, reverseOrder: true })) {
      pages.push(page.events!.map((e) => e.type!));
    }
    expect(pages.length).toBeGreaterThan(2);
    expect(pages[0]![0]).toBe('ExecutionSucceeded');
    const all = pages.flat();
    expect(all.at(-1)).toBe('ExecutionStarted');
    expect(all).toContain('ExecutionRedriven');
    expect(all).toContain('ExecutionFailed');

    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1 }));
    expect(history.events![0]!.timestamp).toBeInstanceOf(Date);
    expect(history.events![0]!.executionStartedEventDetails!.input).toBe('{"g":1}');
  });

  it('stops an execution', async () => {
    const stateMachineArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:wait-loop';
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await new Promise((r) => setTimeout(r, 50));
    const stopped = await client.send(new StopExecutionCommand({ executionArn, error: 'Test', cause: 'enough' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Test', cause: 'enough' });
  });

  it('answers unknown operations and malformed requests with AWS-shaped errors', async () => {
    const post = (target: string, body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target }, body });
    const unknown = await post('AWSStepFunctions.CreateActivity', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'com.amazonaws.states#UnknownOperationException' });
    const bad = await post('AWSStepFunctions.DescribeExecution', '{oops');
    expect(await bad.json()).toMatchObject({ __type: 'com.amazonaws.states#SerializationException' });
    const missing = await post('AWSStepFunctions.DescribeExecution', '{}');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: 'com.amazonaws.states#ValidationException' });
  });
});
