// The eks-managed and eks-fargate state machines: every Task bound to a function folder, retried and caught as the
// conventions say, every decision handled, every state reachable, every name readable.
import { taskBindings, loadAsl, type AslDefinition } from '../../../core/workflows/bindings.js';
import { existsSync } from 'node:fs';

const FILES = ['eks-managed-apply', 'eks-managed-delete', 'eks-fargate-apply', 'eks-fargate-delete'];
const LAMBDA_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

type State = AslDefinition['States'][string] & {
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Choices?: { Variable: string; StringEquals?: string; Next: string }[];
  Default?: string;
  Next?: string;
};

const nextOf = (s: State) => [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter(Boolean) as string[];

describe.each(FILES)('%s.asl.json', (file) => {
  const asl = loadAsl(`${file}.asl.json`);
  const states = asl.States as Record<string, State>;

  test('starts with the Pass that keeps the change and the execution, and every Task has a function folder', () => {
    expect(states[asl.StartAt]).toMatchObject({ Type: 'Pass', Parameters: { 'change.$': '$', execution: { 'arn.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' } } });
    for (const b of taskBindings(asl)) expect({ state: b.state, exists: existsSync(b.handlerPath) }).toEqual({ state: b.state, exists: true });
  });

  test('every Task retries Lambda errors and the retryable classes, and fails where it is (so that Redrive resumes there)', () => {
    for (const [name, s] of Object.entries(states).filter(([, s]) => s.Type === 'Task')) {
      const retried = (s.Retry ?? []).map((r) => r.ErrorEquals.join(','));
      expect({ name, first: retried[0] }).toEqual({ name, first: LAMBDA_ERRORS.join(',') });
      // The retryable classes at their class policy come last (ResourceBusyError earlier when the step names its own).
      expect({ name, last: retried.at(-1) }).toEqual({ name, last: expect.stringMatching(/^RetryableError(,ResourceBusyError)?$/) });
      // No catch-all, except around best-effort reports whose failure is harmless; a mutating step only catches
      // NoLongerWantedError (its re-check found the generation unwanted).
      const caught = (s.Catch ?? []).map((c) => c.ErrorEquals.join(',')).filter((e) => e !== 'NoLongerWantedError');
      if (!/^Report (Superseded|Profile Not Found)/.test(name)) expect({ name, caught }).toEqual({ name, caught: [] });
    }
  });

  test('every state is reachable and every transition lands on a state', () => {
    const seen = new Set<string>();
    const queue = [asl.StartAt];
    while (queue.length) {
      const n = queue.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const next of nextOf(states[n]!)) {
        expect(Object.keys(states)).toContain(next);
        queue.push(next);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
  });

  test('the decision Choice handles every action the decide step can return', () => {
    const decisions = Object.values(states).filter((s) => s.Type === 'Choice' && s.Choices?.some((c) => c.Variable === '$.plan.action'));
    expect(decisions).toHaveLength(1);
    const handled = decisions[0]!.Choices!.map((c) => c.StringEquals).sort();
    const managed = file.startsWith('eks-managed');
    const apply = file.endsWith('apply');
    const expected = apply
      ? [...(managed ? ['update-config', 'update-version'] : []), 'create', 'update-tags', 'delete', 'wait', 'none', 'superseded', 'deleting', 'gone']
      : ['delete', 'wait', 'none', 'await-earlier-applies'];
    expect(handled).toEqual(expected.sort());
  });

  test('the wait loop is bounded and waits a growing interval (from the progress) between looks', () => {
    const wait = states['Wait For EKS']!;
    expect(wait).toMatchObject({ Type: 'Wait', SecondsPath: '$.progress.waitSeconds' });
    expect((states['Start']!.Parameters as { progress: unknown }).progress).toMatchObject({ polls: 0, waitSeconds: 5 });
    const check = Object.entries(states).find(([n]) => /^Check .* Progress$/.test(n))![1];
    expect((check.Parameters as { maxPolls: number }).maxPolls).toBeGreaterThan(0);
    expect(asl.TimeoutSeconds).toBeGreaterThan(0);
  });

  test('names and comments are written for a person', () => {
    for (const [name, s] of Object.entries(states)) {
      expect(name).toMatch(/^[A-Z][A-Za-z0-9 ,:?'-]+$/);
      if (s.Type !== 'Fail') expect({ name, comment: typeof s.Comment }).toEqual({ name, comment: 'string' });
    }
  });
});
