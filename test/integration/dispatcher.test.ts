import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DETAIL_VERSION, NODE_READY_DETAIL_TYPE, nodeReadyEntry, nodeReadyPattern, toPutEventsEntry, type InstanceGroupChange } from '../../core/events/index.js';
import { executionName } from '../../core/names/index.js';
import { setUpLocalBus, startDispatcher, type Dispatcher, type LocalBus } from '../../local/dispatcher/index.js';
import { LocalStepFunctions, localSfnClient } from '../../local/stepfunctions/index.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { ACCOUNT, REGION, asl, sampleChange, silent } from '../unit/stepfunctions/helpers.js';

const run = promisify(execFile);
const BUS = 'instance-manager';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('EventBridge (moto) → rule → SQS → dispatcher → local Step Functions', () => {
  let bed: TestBed;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  let runtime: LocalStepFunctions;
  let runtimeUrl: string;
  let bus: LocalBus;
  let dispatcher: Dispatcher;
  const sfnClient = () => localSfnClient(runtimeUrl, { region: REGION });
  const recorded: { change: InstanceGroupChange; executionName: string }[] = [];
  const nodeEvents: { 'detail-type'?: string; detail?: { node?: string } }[] = [];
  const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
  const APPLY = machineArn('instance-manager-eks-cf-apply');
  const DELETE = machineArn('instance-manager-eks-cf-delete');

  beforeAll(async () => {
    bed = await startTestBed({ kube: false, moto: true });
    const endpoint = bed.moto!.url;
    eventBridge = new EventBridgeClient({ endpoint, region: REGION, credentials });
    sqs = new SQSClient({ endpoint, region: REGION, credentials });
    runtime = new LocalStepFunctions({
      region: REGION,
      account: ACCOUNT,
      logger: silent,
      functions: { RecordChangeFunctionArn: async (event: (typeof recorded)[number]) => (recorded.push(event), { recorded: true }) },
    });
    await runtime.createStateMachineFromFile(asl('record-change'), { name: 'instance-manager-eks-cf-apply' });
    runtimeUrl = await runtime.listen();
    bus = await setUpLocalBus({
      eventBridge,
      sqs,
      busName: BUS,
      queueName: 'instance-manager-dispatch',
      workflows: [
        { provisioner: 'eks-cf', operation: 'apply' },
        { provisioner: 'eks-cf', operation: 'delete' },
      ],
      eventTargets: [{ name: 'eks-cf-node-events', pattern: nodeReadyPattern(), description: 'in AWS: the eks-cf-node-event Lambda' }],
    });
    dispatcher = startDispatcher({
      sqs,
      queueUrl: bus.queueUrl,
      // The delete machine is configured but not created yet: see the redelivery test.
      startWorkflow: { sfn: sfnClient(), stateMachines: { 'eks-cf/apply': APPLY, 'eks-cf/delete': DELETE }, logger: silent },
      targets: { [NODE_READY_DETAIL_TYPE]: async (event) => void nodeEvents.push(event as (typeof nodeEvents)[number]) },
      logger: silent,
      retryDelaySeconds: 1,
    });
  }, 60_000);

  afterAll(async () => {
    await dispatcher?.stop();
    await runtime?.close();
    eventBridge?.destroy();
    sqs?.destroy();
    await bed?.stop();
  }, 30_000);

  const publish = async (...changes: InstanceGroupChange[]) => {
    const out = await eventBridge.send(new PutEventsCommand({ Entries: changes.map((c) => toPutEventsEntry(c, BUS)) }));
    expect(out.FailedEntryCount ?? 0).toBe(0);
  };
  const expectedArn = (machine: string, change: InstanceGroupChange) =>
    `${machine.replace(':stateMachine:', ':execution:')}:${executionName({ ...change.group, operation: change.operation, attempt: change.attempt })}`;

  it('sets up one rule per workflow with the contract pattern, all targeting the queue', () => {
    expect(bus.rules.map((r) => r.name)).toEqual(['instance-manager-eks-cf-apply', 'instance-manager-eks-cf-delete']);
    expect(JSON.parse(bus.rules[0]!.eventPattern)).toEqual({
      source: ['instancemgr.keikoproj.io'],
      'detail-type': ['InstanceGroup Change'],
      detail: { version: [1], provisioner: ['eks-cf'], operation: ['apply'] },
    });
    expect(bus.queueArn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:instance-manager-dispatch`);
  }, 60_000);

  it('starts an execution under the deterministic name for a published change', async () => {
    const change = sampleChange({}, { uid: 'uid-published', name: 'published' });
    await publish(change);
    const arn = expectedArn(APPLY, change);
    const done = await runtime.waitForExecution(arn, { timeoutMs: 20_000 });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.name).toMatch(/^default-published-[0-9a-f]{8}-g1-apply$/);
    expect(JSON.parse(done.input!)).toEqual(change);
    expect(recorded.filter((r) => r.change.group.uid === 'uid-published')).toEqual([{ change, executionName: done.name }]);
  }, 60_000);

  it('starts one execution when the same event is delivered twice', async () => {
    const change = sampleChange({}, { uid: 'uid-twice', name: 'twice', generation: 3 });
    await dispatcher.drained({ timeoutMs: 20_000 }); // earlier messages fully handled (deleted)
    const before = dispatcher.stats.handled;
    await publish(change);
    await publish(change);
    await runtime.waitForExecution(expectedArn(APPLY, change), { timeoutMs: 20_000 });
    await dispatcher.drained({ timeoutMs: 20_000 });
    expect(dispatcher.stats.handled - before).toBe(2);
    const executions = (await runtime.listExecutions({ stateMachineArn: APPLY })).executions!;
    expect(executions.filter((e) => e.name!.startsWith('default-twice-'))).toHaveLength(1);
    expect(recorded.filter((r) => r.change.group.uid === 'uid-twice')).toHaveLength(1);
  }, 60_000);

  it("routes the relay's node-ready events, through their own rule, to their own target and not to start-workflow", async () => {
    const before = dispatcher.stats.handled;
    const out = await eventBridge.send(
      new PutEventsCommand({ Entries: [nodeReadyEntry({ version: DETAIL_VERSION, cluster: { name: 'local' }, group: { namespace: 'team-a', name: 'web' }, node: 'ip-10-0-0-1', sentAt: new Date().toISOString() }, BUS)] }),
    );
    expect(out.FailedEntryCount ?? 0).toBe(0);
    while (dispatcher.stats.handled === before) await new Promise((r) => setTimeout(r, 50));
    expect(nodeEvents).toEqual([expect.objectContaining({ 'detail-type': NODE_READY_DETAIL_TYPE, detail: expect.objectContaining({ node: 'ip-10-0-0-1' }) })]);
    expect(dispatcher.stats.failed).toBe(0);
  });

  it('does not deliver a change no rule matches', async () => {
    const change = sampleChange({ provisioner: 'eks-managed' }, { uid: 'uid-unmatched', name: 'unmatched' });
    const before = { ...dispatcher.stats };
    await publish(change);
    await dispatcher.drained({ timeoutMs: 20_000 });
    expect(dispatcher.stats.received).toBe(before.received);
  }, 60_000);

  it('leaves a message it could not handle on the queue and starts the workflow on redelivery', async () => {
    const change = sampleChange({ operation: 'delete', reason: 'deleted' }, { uid: 'uid-redelivered', name: 'redelivered' });
    const failedBefore = dispatcher.stats.failed;
    await publish(change);
    // The delete state machine does not exist yet: StartExecution fails, the message stays.
    const deadline = Date.now() + 20_000;
    while (dispatcher.stats.failed === failedBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(dispatcher.stats.failed).toBeGreaterThan(failedBefore);
    await runtime.createStateMachineFromFile(asl('record-change'), { name: 'instance-manager-eks-cf-delete' });
    const done = await runtime.waitForExecution(expectedArn(DELETE, change), { timeoutMs: 20_000 });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.name).toMatch(/-g1-delete$/);
  }, 60_000);

  it('answers the real AWS CLI: list-executions, describe-execution, get-execution-history', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' };
    delete env.AWS_PROFILE;
    const aws = async (...args: string[]) =>
      JSON.parse((await run('aws', ['stepfunctions', ...args, '--endpoint-url', runtimeUrl, '--output', 'json'], { env })).stdout);

    const change = sampleChange({}, { uid: 'uid-published', name: 'published' });
    const arn = expectedArn(APPLY, change);
    const listed = await aws('list-executions', '--state-machine-arn', APPLY);
    const item = listed.executions.find((e: { executionArn: string }) => e.executionArn === arn);
    expect(item).toMatchObject({ name: arn.split(':').at(-1), status: 'SUCCEEDED', stateMachineArn: APPLY });
    // awscli v1 prints timestamps as it got them (epoch seconds); v2 formats them as ISO 8601.
    const started = typeof item.startDate === 'number' ? item.startDate * 1000 : Date.parse(item.startDate);
    expect(started).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(started).toBeLessThanOrEqual(Date.now());

    const failedOnly = await aws('list-executions', '--state-machine-arn', APPLY, '--status-filter', 'FAILED');
    expect(failedOnly.executions).toEqual([]);

    const described = await aws('describe-execution', '--execution-arn', arn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', executionArn: arn });
    expect(JSON.parse(described.input)).toEqual(change);

    const history = await aws('get-execution-history', '--execution-arn', arn, '--reverse-order');
    expect(history.events.map((e: { type: string }) => e.type)).toEqual([
      'ExecutionSucceeded',
      'TaskStateExited',
      'LambdaFunctionSucceeded',
      'LambdaFunctionStarted',
      'LambdaFunctionScheduled',
      'TaskStateEntered',
      'ExecutionStarted',
    ]);

    const missing = await run('aws', ['stepfunctions', 'describe-execution', '--execution-arn', `${arn}-nope`, '--endpoint-url', runtimeUrl], { env }).catch((e: { stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toContain('ExecutionDoesNotExist');
  }, 60_000);
});
