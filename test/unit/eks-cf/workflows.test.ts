import { bindHandlers } from '../../../local/workflows/bind.js';
import { folderFor, functionPlaceholders, loadAsl, taskBindings } from '../../../core/workflows/bindings.js';
import { causeMessage, explainFailure } from '../../../functions/shared/explain-failure.js';

describe('eks-cf state machines', () => {
  test.each(['eks-cf-apply.asl.json', 'eks-cf-delete.asl.json'])('%s binds every Task state to an existing handler', async (file) => {
    const asl = loadAsl(file);
    const handlers = await bindHandlers(asl);
    expect(Object.keys(handlers).sort()).toEqual(taskBindings(asl).map((b) => b.state).sort());
    expect(Object.values(functionPlaceholders(asl))).toContain('common/report-status');
  });

  test.each(['eks-cf-apply.asl.json', 'eks-cf-delete.asl.json'])('%s: every state is reachable, has a Comment, and every Task retries Lambda errors and fails where it is (for Redrive)', (file) => {
    const asl = loadAsl(file);
    const reachable = new Set<string>([asl.StartAt]);
    const next = (d: Record<string, any>) => [d.Next, d.Default, ...(d.Choices ?? []).map((c: any) => c.Next), ...(d.Catch ?? []).map((c: any) => c.Next)].filter(Boolean);
    for (let changed = true; changed; ) {
      changed = false;
      for (const name of [...reachable]) for (const n of next(asl.States[name]!)) if (!reachable.has(n)) (reachable.add(n), (changed = true));
    }
    expect([...reachable].sort()).toEqual(Object.keys(asl.States).sort());
    for (const [name, def] of Object.entries(asl.States)) {
      if (def.Type !== 'Fail') expect([name, typeof def.Comment]).toEqual([name, 'string']);
      if (def.Type === 'Task') {
        expect((def.Retry as any[])[0].ErrorEquals).toContain('Lambda.TooManyRequestsException');
        if (name === 'Wait For CloudFormation') {
          // The event-driven wait: a timeout (lost event) or a failure event falls back to one check of the stack,
          // which reports CloudFormation's own reason; the check's Catch is the failure path.
          expect(def).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 60, Next: 'Check Stack Progress' });
          expect(def.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.stackEvent', Next: 'Check Stack Progress' }]);
          expect((def.Parameters as any).Payload['taskToken.$']).toBe('$$.Task.Token');
        } else if (name === 'Wait For Nodes To Join') {
          // The node-join wait, resumed by the relay's node-ready event (issue 17): a lost event costs the 30 s
          // fallback, then one count of the nodes; the 15-minute bound stays with Check Nodes.
          expect(def).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 30, Next: 'Check Nodes' });
          expect(def.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.nodeEvent', Next: 'Check Nodes' }]);
          expect((def.Parameters as any).Payload['taskToken.$']).toBe('$$.Task.Token');
          // The rotation's wait for replacements (inside the Map) works the same way.
          const rotate = (asl.States['Rotate Outdated Nodes'] as any).Iterator.States['Wait For Replacements'];
          expect(rotate).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 30, Next: 'Check Replacement Nodes' });
          expect(rotate.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.replacementEvent', Next: 'Check Replacement Nodes' }]);
        } else if (!['Report Superseded', 'Report Nodes Not Joined'].includes(name)) {
          // No catch-all: a failure stops the execution at its step, so that Redrive resumes there (issue 14). A
          // mutating step only catches NoLongerWantedError (its re-check found the generation unwanted).
          const caught = ((def.Catch as any[]) ?? []).map((c) => c.ErrorEquals.join(','));
          expect({ name, caught: caught.filter((e) => e !== 'NoLongerWantedError') }).toEqual({ name, caught: [] });
        }
      }
    }
  });

  test('binding fails clearly when a function folder is missing', async () => {
    const asl = { StartAt: 'A', States: { A: { Type: 'Task', Resource: '${NoSuchStepFunctionArn}', End: true } } };
    await expect(bindHandlers(asl)).rejects.toThrow('state "A": ${NoSuchStepFunctionArn} → functions/common/no-such-step/handler.ts does not exist');
    expect(folderFor('EksCfCreateOrUpdateStack')).toBe('eks-cf/create-or-update-stack');
  });
});

describe('failure explanation', () => {
  test('a Lambda Cause (JSON) and a local Cause (text) give the same readable report', () => {
    const message = 'spec.eks-cf.configuration.subnets: subnet-1 does not exist in us-west-2';
    const aws = explainFailure({ failedStep: 'Check AWS References', error: { Error: 'MissingReferenceError', Cause: JSON.stringify({ errorType: 'MissingReferenceError', errorMessage: message, trace: [] }) } });
    const local = explainFailure({ failedStep: 'Check AWS References', error: { Error: 'MissingReferenceError', Cause: message } });
    expect(aws).toEqual(local);
    expect(aws.report).toEqual({ phase: 'failed', reason: 'MissingReference', message, step: 'Check AWS References', retryable: false });
    expect(aws.cause).toBe(`Check AWS References failed: ${message}`);
    expect(causeMessage(undefined)).toBe('no cause given');
  });

  test('retryable errors and Lambda service errors are reported as retryable', () => {
    expect(explainFailure({ failedStep: 'x', error: { Error: 'ResourceBusyError', Cause: 'busy' } }).report).toMatchObject({ reason: 'ResourceBusy', retryable: true });
    expect(explainFailure({ failedStep: 'x', error: { Error: 'Lambda.ServiceException', Cause: 'x' } }).report).toMatchObject({ reason: 'LambdaFailure', retryable: true });
    expect(explainFailure({ failedStep: 'x', error: { Error: 'States.Timeout', Cause: '' } }).report).toMatchObject({ reason: 'TimedOut', retryable: true });
  });
});
