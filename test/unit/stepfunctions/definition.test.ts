import {
  findPlaceholders,
  kebabCase,
  parseDefinition,
  placeholderForFunction,
  readDefinitionFile,
  substitutePlaceholders,
  timingOverrides,
} from '../../../local/stepfunctions/definition.js';
import { isSfnError } from '../../../local/stepfunctions/index.js';
import { ACCOUNT, REGION, asl, newRuntime } from './helpers.js';

const acct = { region: REGION, account: ACCOUNT };

const withPlaceholders = {
  StartAt: 'Put',
  States: {
    Put: {
      Type: 'Task',
      Resource: '${PutThingsFunctionArn}',
      Parameters: { bus: '${EventBusName}', queue: 'q-${QueueName}', role: '${RoleArn}' },
      End: true,
    },
  },
};

describe('ASL definitions', () => {
  it('turns placeholder names into kebab-case function names and back', () => {
    expect(kebabCase('ReadInstanceGroup')).toBe('read-instance-group');
    expect(kebabCase('EksCfRender')).toBe('eks-cf-render');
    expect(kebabCase('ASGWait')).toBe('asg-wait');
    expect(kebabCase('Ec2Check')).toBe('ec2-check');
    expect(placeholderForFunction('instance-manager-read-instance-group')).toBe('ReadInstanceGroupFunctionArn');
    expect(placeholderForFunction('other-function')).toBeUndefined();
  });

  it('substitutes ${XxxFunctionArn} with instance-manager Lambda ARNs, and given substitutions', () => {
    expect(findPlaceholders(withPlaceholders).sort()).toEqual(['EventBusName', 'PutThingsFunctionArn', 'QueueName', 'RoleArn']);
    const out = substitutePlaceholders(parseDefinition(withPlaceholders), {
      ...acct,
      substitutions: { EventBusName: 'instance-manager', QueueName: 'dispatch', RoleArn: 'arn:aws:iam::123456789012:role/x' },
    });
    expect(out.States.Put!.Resource).toBe('arn:aws:lambda:us-west-2:123456789012:function:instance-manager-put-things');
    expect(out.States.Put!.Parameters).toEqual({ bus: 'instance-manager', queue: 'q-dispatch', role: 'arn:aws:iam::123456789012:role/x' });
    expect(findPlaceholders(out)).toEqual([]);
    // The input object is left untouched.
    expect(withPlaceholders.States.Put.Resource).toBe('${PutThingsFunctionArn}');
  });

  it('names every unknown placeholder in one error', () => {
    let error: unknown;
    try {
      substitutePlaceholders(parseDefinition(withPlaceholders), { ...acct, substitutions: { QueueName: 'q' } });
    } catch (e) {
      error = e;
    }
    expect(isSfnError(error, 'InvalidDefinition')).toBe(true);
    expect((error as Error).message).toContain('${EventBusName}');
    expect((error as Error).message).toContain('${RoleArn}');
    expect((error as Error).message).not.toContain('QueueName');
  });

  it('refuses, through the service, a machine with an unknown placeholder', async () => {
    const sfn = newRuntime({ functions: { PutThingsFunctionArn: async () => ({}) } });
    await expect(sfn.createStateMachine({ name: 'm', definition: withPlaceholders })).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining('${EventBusName}, ${QueueName}, ${RoleArn}'),
    });
  });

  it('computes Wait and Retry overrides from the definition', () => {
    const waitLoop = readDefinitionFile(asl('wait-loop'));
    expect(timingOverrides(waitLoop)).toEqual({ waitTimeOverrides: { 'Wait For Stack': 10 }, retryIntervalOverrides: {} });
    expect(timingOverrides(waitLoop, { waitFactor: 0.01 }).waitTimeOverrides).toEqual({ 'Wait For Stack': 300 });
    expect(timingOverrides(waitLoop, { realTime: true }).waitTimeOverrides).toEqual({});

    const retry = readDefinitionFile(asl('retry-catch'));
    expect(timingOverrides(retry).retryIntervalOverrides).toEqual({ 'Call Flaky': [5] });
    expect(timingOverrides(retry, { retryFactor: 0.1 }).retryIntervalOverrides).toEqual({ 'Call Flaky': [500] });
  });

  it('refuses a Lambda Task without a handler, naming the state and the function', async () => {
    const sfn = newRuntime({ functions: { RecordFailureFunctionArn: async () => ({}) } });
    await expect(sfn.createStateMachineFromFile(asl('retry-catch'))).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: 'Task states without a local handler: Call Flaky (instance-manager-flaky)',
    });
  });

  it('refuses integrations the local runtime cannot run (.sync)', async () => {
    const sfn = newRuntime();
    const definition = {
      StartAt: 'Run Job',
      States: {
        'Run Job': {
          Type: 'Task',
          Resource: 'arn:aws:states:::ecs:runTask.sync',
          Parameters: { Cluster: 'c', TaskDefinition: 't' },
          End: true,
        },
      },
    };
    await expect(sfn.createStateMachine({ name: 'job', definition })).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining('Run Job (arn:aws:states:::ecs:runTask.sync: .sync cannot run locally)'),
    });
  });

  it('runs arn:aws:states:::lambda:invoke Tasks with the Payload and wraps the result as AWS does', async () => {
    const sfn = newRuntime({ functions: { 'instance-manager-echo': async (e: unknown) => ({ got: e }) } });
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: '${EchoFunctionArn}', 'Payload.$': '$' },
          ResultSelector: { 'body.$': '$.Payload', 'status.$': '$.StatusCode' },
          End: true,
        },
      },
    };
    const { stateMachineArn } = await sfn.createStateMachine({ name: 'invoke', definition });
    const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{"a":1}' });
    const done = await sfn.waitForExecution(executionArn!);
    expect(JSON.parse(done.output!)).toEqual({ body: { got: { a: 1 } }, status: 200 });
    const events = (await sfn.getExecutionHistory({ executionArn })).events!;
    expect(events.map((e) => e.type)).toContain('TaskSucceeded');
    expect(events.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: REGION });
  });

  it('rejects a definition the ASL validator rejects', async () => {
    const sfn = newRuntime();
    await expect(
      sfn.createStateMachine({ name: 'bad', definition: { StartAt: 'Nowhere', States: { A: { Type: 'Pass', End: true } } } }),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });
});
