import { CliError } from '../../../cli/errors.js';
import { discoverWorkflows, parseExecutionName, requireWorkflows, workflowArn } from '../../../cli/lookup.js';
import { executionName } from '../../../core/names/index.js';
import { FakeSfn, machineArn } from './fakes.js';

describe('discoverWorkflows', () => {
  test('finds <prefix><provisioner>-<operation> (local) and ignores other machines', async () => {
    const sfn = new FakeSfn(['instance-manager-eks-cf-apply', 'instance-manager-eks-managed-delete', 'instance-manager-notes', 'other-eks-cf-apply']);
    const found = await discoverWorkflows(sfn, 'instance-manager-', {});
    expect(Object.fromEntries(found)).toEqual({
      'eks-cf/apply': machineArn('instance-manager-eks-cf-apply'),
      'eks-managed/delete': machineArn('instance-manager-eks-managed-delete'),
    });
  });

  test('finds a deployment’s <prefix><stage>-<provisioner>-<operation>; the exact local name wins over a stage', async () => {
    const staged = await discoverWorkflows(new FakeSfn(['instance-manager-prod-eks-cf-apply', 'instance-manager-prod-eks-fargate-delete']), 'instance-manager-', {});
    expect(staged.get('eks-cf/apply')).toBe(machineArn('instance-manager-prod-eks-cf-apply'));
    expect(staged.get('eks-fargate/delete')).toBe(machineArn('instance-manager-prod-eks-fargate-delete'));
    const both = await discoverWorkflows(new FakeSfn(['instance-manager-prod-eks-cf-apply', 'instance-manager-eks-cf-apply']), 'instance-manager-', {});
    expect(both.get('eks-cf/apply')).toBe(machineArn('instance-manager-eks-cf-apply'));
  });

  test('two stages in one account: asks for a prefix that names one; the prefix then picks it', async () => {
    const machines = ['instance-manager-dev-eks-cf-apply', 'instance-manager-prod-eks-cf-apply'];
    await expect(discoverWorkflows(new FakeSfn(machines), 'instance-manager-', {})).rejects.toThrow(/several state machines run eks-cf\/apply/);
    const prod = await discoverWorkflows(new FakeSfn(machines), 'instance-manager-prod-', {});
    expect(prod.get('eks-cf/apply')).toBe(machineArn('instance-manager-prod-eks-cf-apply'));
  });

  test('STATE_MACHINE_ARN_* and STATE_MACHINE_ARNS (the start-workflow settings) win; bad values are explained', async () => {
    const arn = 'arn:aws:states:us-west-2:123456789012:stateMachine:custom';
    const found = await discoverWorkflows(new FakeSfn(['instance-manager-eks-cf-apply']), 'instance-manager-', { STATE_MACHINE_ARN_EKS_CF_APPLY: arn });
    expect(found.get('eks-cf/apply')).toBe(arn);
    await expect(discoverWorkflows(new FakeSfn([]), 'instance-manager-', { STATE_MACHINE_ARNS: '{' })).rejects.toBeInstanceOf(CliError);
  });

  test('a missing workflow names the state machine looked for', () => {
    expect(() => workflowArn(new Map(), 'eks-cf', 'delete', 'instance-manager-')).toThrow('no state machine named instance-manager-eks-cf-delete (found workflows: none)');
    expect(() => requireWorkflows(new Map([['eks-cf/apply', 'x']]), 'p-', 'eks-managed')).toThrow(/p-eks-managed-apply or p-eks-managed-delete/);
    expect(() => requireWorkflows(new Map([['eks-cf/apply', 'x']]), 'p-', 'eks-cf')).not.toThrow();
  });
});

describe('parseExecutionName', () => {
  test.each([
    [{ generation: 1, operation: 'apply' as const, attempt: 1 }],
    [{ generation: 12, operation: 'delete' as const, attempt: 3 }],
  ])('reads back what core/names executionName wrote: %j', (parts) => {
    const name = executionName({ namespace: 'a-very-long-namespace-name-for-testing', name: 'and-an-even-longer-instance-group-name', uid: 'u', ...parts });
    expect(parseExecutionName(name)).toEqual(parts);
  });

  test('other names are not executions of a group', () => {
    expect(parseExecutionName('manual-run-1')).toBeUndefined();
  });
});
