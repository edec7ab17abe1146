import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SQSEvent } from 'aws-lambda';
import { stateMachineArnsFromEnv } from '../../../core/workflows/state-machine-arns.js';
import {
  InvalidChangeEventError,
  NoWorkflowError,
  handleStartWorkflowEvent,
  startWorkflow,
  type BatchOutcome,
  type StartWorkflowDeps,
} from '../../../functions/start-workflow/start.js';
import { executionName } from '../../../core/names/index.js';
import { RetryableError } from '../../../core/errors/index.js';
import { ACCOUNT, REGION, eventFor, newRuntime, sampleChange, silent } from './helpers.js';

const APPLY_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:instance-manager-eks-cf-apply`;
const DELETE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:instance-manager-eks-cf-delete`;

function fakeSfn(behaviour: (input: StartExecutionCommand['input']) => unknown = () => ({})) {
  const sent: StartExecutionCommand['input'][] = [];
  const sfn = {
    send: async (command: StartExecutionCommand) => {
      sent.push(command.input);
      const out = behaviour(command.input);
      if (out instanceof Error) throw out;
      return out;
    },
  } as unknown as StartWorkflowDeps['sfn'];
  return { sfn, sent };
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('start-workflow', () => {
  const stateMachines = { 'eks-cf/apply': APPLY_ARN, 'eks-cf/delete': DELETE_ARN };

  it('starts the (provisioner, operation) state machine under the deterministic name, with the change as input', async () => {
    const change = sampleChange({ operation: 'delete', attempt: 2 }, { generation: 5 });
    const { sfn, sent } = fakeSfn((input) => ({ executionArn: `${DELETE_ARN.replace('stateMachine', 'execution')}:${input!.name}`, startDate: new Date() }));
    const outcome = await startWorkflow(eventFor(change), { sfn, stateMachines, logger: silent });
    const name = executionName({ namespace: 'default', name: 'hello-world', uid: change.group.uid, generation: 5, operation: 'delete', attempt: 2 });
    expect(sent).toEqual([{ stateMachineArn: DELETE_ARN, name, input: JSON.stringify(change) }]);
    expect(outcome).toMatchObject({ status: 'started', executionName: name, stateMachineArn: DELETE_ARN });
    expect(outcome.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:instance-manager-eks-cf-delete:${name}`);
    expect(outcome.consoleUrl).toContain(outcome.executionArn);
  });

  it('treats ExecutionAlreadyExists as already started', async () => {
    const { sfn } = fakeSfn(() => named('ExecutionAlreadyExists'));
    const outcome = await startWorkflow(eventFor(sampleChange()), { sfn, stateMachines, logger: silent });
    expect(outcome.status).toBe('already-started');
    expect(outcome.executionArn).toMatch(/:execution:instance-manager-eks-cf-apply:default-hello-world-[0-9a-f]{8}-g1-apply$/);
  });

  it('classifies other StartExecution errors (throttling retries, the rest is terminal)', async () => {
    const throttled = fakeSfn(() => named('ThrottlingException'));
    await expect(startWorkflow(eventFor(sampleChange()), { sfn: throttled.sfn, stateMachines, logger: silent })).rejects.toBeInstanceOf(RetryableError);
    const missing = fakeSfn(() => named('StateMachineDoesNotExist'));
    await expect(startWorkflow(eventFor(sampleChange()), { sfn: missing.sfn, stateMachines, logger: silent })).rejects.toMatchObject({
      name: 'AwsRejectedError',
      message: expect.stringContaining('StateMachineDoesNotExist'),
    });
  });

  it('refuses events that are not an InstanceGroupChange, and changes without a configured workflow', async () => {
    const { sfn, sent } = fakeSfn();
    const bad = { ...eventFor(sampleChange()), detail: { hello: 'world' } } as never;
    await expect(startWorkflow(bad, { sfn, stateMachines, logger: silent })).rejects.toBeInstanceOf(InvalidChangeEventError);
    await expect(startWorkflow(eventFor(sampleChange({ provisioner: 'eks-fargate' })), { sfn, stateMachines, logger: silent })).rejects.toThrow(
      new NoWorkflowError('no state machine for eks-fargate/apply: set it in STATE_MACHINE_ARNS or STATE_MACHINE_ARN_EKS_FARGATE_APPLY (configured: eks-cf/apply, eks-cf/delete)'),
    );
    expect(sent).toEqual([]);
  });

  it('handles an SQS batch of EventBridge events, reporting only the failed records', async () => {
    const { sfn, sent } = fakeSfn();
    const record = (messageId: string, body: unknown) => ({ messageId, body: JSON.stringify(body) }) as SQSEvent['Records'][number];
    const event: SQSEvent = {
      Records: [
        record('m1', eventFor(sampleChange())),
        record('m2', eventFor(sampleChange({ provisioner: 'ec2-kops' }))),
        record('m3', eventFor(sampleChange({ operation: 'delete' }))),
      ],
    };
    const out = (await handleStartWorkflowEvent(event, { sfn, stateMachines, logger: silent })) as BatchOutcome;
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(out.outcomes.map((o) => o.stateMachineArn)).toEqual([APPLY_ARN, DELETE_ARN]);
    expect(sent).toHaveLength(2);
  });

  it('reads the state machine ARNs from STATE_MACHINE_ARNS and per-machine variables', () => {
    expect(
      stateMachineArnsFromEnv({
        STATE_MACHINE_ARNS: JSON.stringify({ 'eks-cf/apply': APPLY_ARN, 'eks-cf/delete': 'arn:aws:states:us-west-2:123456789012:stateMachine:old' }),
        STATE_MACHINE_ARN_EKS_CF_DELETE: DELETE_ARN,
        STATE_MACHINE_ARN_EKS_FARGATE_APPLY: APPLY_ARN.replace('eks-cf', 'eks-fargate'),
      }),
    ).toEqual({ 'eks-cf/apply': APPLY_ARN, 'eks-cf/delete': DELETE_ARN, 'eks-fargate/apply': APPLY_ARN.replace('eks-cf', 'eks-fargate') });
    expect(() => stateMachineArnsFromEnv({ STATE_MACHINE_ARNS: '{"eks-cf":"x"}' })).toThrow(/not "<provisioner>\/<apply\|delete>"/);
    expect(() => stateMachineArnsFromEnv({ STATE_MACHINE_ARNS: '{"eks-cf/apply":"arn:aws:lambda:x"}' })).toThrow(/not a state machine ARN/);
    expect(stateMachineArnsFromEnv({})).toEqual({});
  });

  it('against the local runtime: a second delivery of the same change starts nothing new', async () => {
    const runs: unknown[] = [];
    const sfnRuntime = newRuntime({ functions: { ApplyFunctionArn: async (e: unknown) => (runs.push(e), { ok: true }) } });
    const definition = { StartAt: 'Apply', States: { Apply: { Type: 'Task', Resource: '${ApplyFunctionArn}', End: true } } };
    const { stateMachineArn } = await sfnRuntime.createStateMachine({ name: 'instance-manager-eks-cf-apply', definition });
    const url = await sfnRuntime.listen();
    const sfn = new SFNClient({ endpoint: url, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const deps = { sfn, stateMachines: { 'eks-cf/apply': stateMachineArn }, logger: silent };
      const change = sampleChange();
      const first = await startWorkflow(eventFor(change, 'e-1'), deps);
      await sfnRuntime.waitForExecution(first.executionArn);
      const second = await startWorkflow(eventFor(change, 'e-2'), deps);
      expect(first.status).toBe('started');
      expect(second).toEqual({ ...first, status: 'already-started' });
      expect(runs).toEqual([change]);
      expect((await sfnRuntime.listExecutions({ stateMachineArn })).executions).toHaveLength(1);
    } finally {
      sfn.destroy();
      await sfnRuntime.close();
    }
  });
});

describe('start-workflow Lambda handler (middy)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads its state machines from the environment and calls the endpoint AWS_ENDPOINT_URL_SFN names', async () => {
    const runs: unknown[] = [];
    const runtime = newRuntime({ functions: { ApplyFunctionArn: async (e: unknown) => (runs.push(e), null) } });
    const definition = { StartAt: 'Apply', States: { Apply: { Type: 'Task', Resource: '${ApplyFunctionArn}', End: true } } };
    const { stateMachineArn } = await runtime.createStateMachine({ name: 'instance-manager-eks-cf-apply', definition });
    const url = await runtime.listen();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      STATE_MACHINE_ARN_EKS_CF_APPLY: stateMachineArn,
      LOG_LEVEL: 'error',
    });
    try {
      const { handler } = await import('../../../functions/start-workflow/handler.js');
      const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as never;
      const change = sampleChange({}, { uid: 'uid-handler' });
      const out = (await handler(eventFor(change), context)) as { status: string; executionArn: string };
      expect(out.status).toBe('started');
      await runtime.waitForExecution(out.executionArn);
      expect(runs).toEqual([change]);
      const again = (await handler(eventFor(change, 'e-2'), context)) as { status: string };
      expect(again.status).toBe('already-started');
      await expect(handler(eventFor(sampleChange({ operation: 'delete' })), context)).rejects.toMatchObject({ name: 'NoWorkflowError' });
    } finally {
      await runtime.close();
    }
  });
});

describe('start-workflow: an attempt that ended without a report (issue 14, defect 4)', () => {
  const stateMachines = { 'eks-cf/apply': APPLY_ARN };

  function sfnWith(existing: Record<string, string>) {
    const started: string[] = [];
    const sfn = {
      send: async (command: { constructor: { name: string }; input: any }) => {
        if (command.constructor.name === 'DescribeExecutionCommand') {
          const name = String(command.input.executionArn).split(':').pop()!;
          return { status: existing[name] };
        }
        const name = command.input.name as string;
        if (existing[name]) throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
        started.push(name);
        return { executionArn: `${APPLY_ARN.replace('stateMachine', 'execution')}:${name}` };
      },
    } as unknown as StartWorkflowDeps['sfn'];
    return { sfn, started };
  }

  it('a re-sent attempt 1 whose execution failed before reporting starts attempt 2, not ExecutionAlreadyExists', async () => {
    const change = sampleChange({ reason: 'resync', attempt: 1 }, { generation: 3 });
    const first = executionName({ ...change.group, operation: 'apply', attempt: 1 });
    const { sfn, started } = sfnWith({ [first]: 'FAILED' });
    const outcome = await startWorkflow(eventFor(change), { sfn, stateMachines, logger: silent });
    expect(outcome.status).toBe('started');
    expect(started).toEqual([executionName({ ...change.group, operation: 'apply', attempt: 2 })]);
  });

  it('a running or succeeded attempt counts as started; a duplicate of a watch event never walks on', async () => {
    const resync = sampleChange({ reason: 'resync', attempt: 1 }, { generation: 3 });
    const first = executionName({ ...resync.group, operation: 'apply', attempt: 1 });
    for (const status of ['RUNNING', 'SUCCEEDED']) {
      const { sfn, started } = sfnWith({ [first]: status });
      await expect(startWorkflow(eventFor(resync), { sfn, stateMachines, logger: silent })).resolves.toMatchObject({ status: 'already-started' });
      expect(started).toEqual([]);
    }
    const watched = sampleChange({ reason: 'updated', attempt: 1 }, { generation: 3 });
    const { sfn, started } = sfnWith({ [first]: 'FAILED' });
    await expect(startWorkflow(eventFor(watched), { sfn, stateMachines, logger: silent })).resolves.toMatchObject({ status: 'already-started' });
    expect(started).toEqual([]);
  });
});
