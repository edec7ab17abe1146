import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TerminalError } from '../../core/errors/index.js';
import { LocalStepFunctions } from '../../local/stepfunctions/index.js';
import { ACCOUNT, REGION, asl, silent } from '../unit/stepfunctions/helpers.js';

const run = promisify(execFile);

describe('the local Step Functions runtime, driven by the real AWS CLI', () => {
  let runtime: LocalStepFunctions;
  let url: string;
  let applyFixed = false;
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' };
  delete env.AWS_PROFILE;
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['stepfunctions', ...args, '--endpoint-url', url, '--output', 'json'], { env });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
  const awsError = async (...args: string[]) =>
    run('aws', ['stepfunctions', ...args, '--endpoint-url', url], { env }).then(
      () => {
        throw new Error(`expected "aws stepfunctions ${args[0]}" to fail`);
      },
      (e: { stderr: string; code: number }) => e,
    );

  beforeAll(async () => {
    runtime = new LocalStepFunctions({
      region: REGION,
      account: ACCOUNT,
      logger: silent,
      functions: {
        PrepareFunctionArn: async () => ({ ready: true }),
        ApplyFunctionArn: async () => {
          if (!applyFixed) throw new TerminalError('security group sg-q1w2e3r4t5y6u7i8 does not exist');
          return { applied: true };
        },
      },
    });
    url = await runtime.listen();
  }, 60_000);

  afterAll(() => runtime.close(), 30_000);

  it('create-state-machine from an ASL file with placeholders, then list and describe it', async () => {
    const created = await aws('create-state-machine', '--name', 'redrive', '--definition', `file://${asl('redrive')}`, '--role-arn', `arn:aws:iam::${ACCOUNT}:role/states`);
    expect(created.stateMachineArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:redrive`);
    const listed = await aws('list-state-machines');
    expect(listed.stateMachines.map((m: { name: string }) => m.name)).toEqual(['redrive']);
    const described = await aws('describe-state-machine', '--state-machine-arn', created.stateMachineArn);
    expect(JSON.parse(described.definition).States.Prepare.Resource).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:instance-manager-prepare`);
  }, 60_000);

  it('start-execution, a failure with its cause, ExecutionAlreadyExists, redrive-execution, and paging', async () => {
    const machine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:redrive`;
    const { executionArn } = await aws('start-execution', '--state-machine-arn', machine, '--name', 'cli-1', '--input', '{"group":"g"}');
    await runtime.waitForExecution(executionArn);

    const failed = await aws('describe-execution', '--execution-arn', executionArn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TerminalError', redriveStatus: 'REDRIVABLE' });
    expect(JSON.parse(failed.cause).errorMessage).toBe('security group sg-q1w2e3r4t5y6u7i8 does not exist');
    const failedList = await aws('list-executions', '--state-machine-arn', machine, '--status-filter', 'FAILED');
    expect(failedList.executions.map((e: { name: string }) => e.name)).toEqual(['cli-1']);

    const conflict = await awsError('start-execution', '--state-machine-arn', machine, '--name', 'cli-1', '--input', '{"group":"other"}');
    expect(conflict.stderr).toContain('ExecutionAlreadyExists');
    expect(conflict.code).not.toBe(0);

    applyFixed = true;
    const redriven = await aws('redrive-execution', '--execution-arn', executionArn);
    expect(redriven.redriveDate).toBeDefined();
    await runtime.waitForExecution(executionArn);
    const done = await aws('describe-execution', '--execution-arn', executionArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(done.output)).toEqual({ group: 'g', prepared: { ready: true }, applied: { applied: true } });

    // The CLI follows nextToken itself: a page size of 3 still returns the whole history.
    const paged = await aws('get-execution-history', '--execution-arn', executionArn, '--page-size', '3');
    const all = await aws('get-execution-history', '--execution-arn', executionArn);
    expect(paged.events.length).toBeGreaterThan(3);
    expect(paged.events.map((e: { id: number }) => e.id)).toEqual(all.events.map((e: { id: number }) => e.id));
    const types = all.events.map((e: { type: string }) => e.type);
    expect(types.indexOf('ExecutionFailed')).toBeLessThan(types.indexOf('ExecutionRedriven'));
    expect(types.at(-1)).toBe('ExecutionSucceeded');

    const notRedrivable = await awsError('redrive-execution', '--execution-arn', executionArn);
    expect(notRedrivable.stderr).toContain('ExecutionNotRedrivable');
  }, 60_000);
});
