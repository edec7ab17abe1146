import type { ExecutionInfo } from '../../../cli/lookup.js';
import { changeFor, decideReplay } from '../../../cli/replay-decision.js';
import { executionName } from '../../../core/names/index.js';
import { group } from './fakes.js';

const KEY = { namespace: 'team-a', name: 'hello-world' };

function exec(over: Partial<ExecutionInfo>): ExecutionInfo {
  const generation = over.generation ?? 1;
  const attempt = over.attempt ?? 1;
  const operation = over.operation ?? 'apply';
  return {
    name: executionName({ ...KEY, uid: 'uid-1', generation, operation, attempt }),
    executionArn: 'arn:aws:states:us-west-2:123456789012:execution:m:n',
    stateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:m',
    operation,
    generation,
    attempt,
    status: 'FAILED',
    redriveCount: 0,
    redrivable: true,
    endedInFailState: false,
    consoleUrl: 'https://console',
    startDate: new Date('2026-11-27T10:00:00Z'),
    ...over,
  };
}

describe('decideReplay', () => {
  test('same generation, stopped in a real step (aborted, timed out, uncaught): redrive', () => {
    const failed = exec({ status: 'ABORTED', lastState: { name: 'Create Or Update Stack', type: 'Task' } });
    const d = decideReplay(group({ generation: 1 }), [failed], KEY);
    expect(d).toMatchObject({ action: 'redrive', execution: failed });
    expect(d.reason).toMatch(/generation 1 is unchanged: redriving .* \("Create Or Update Stack"\)/);
  });

  test('same generation, the workflow caught the failure and ended in its Fail state: a new attempt of that generation', () => {
    const failed = exec({ failedState: 'Check AWS References', endedInFailState: true, lastState: { name: 'Failed', type: 'Fail' } });
    const d = decideReplay(group({ generation: 1 }), [failed], KEY);
    expect(d).toMatchObject({ action: 'start', generation: 1, attempt: 2, operation: 'apply', replaces: failed });
    expect(d.action === 'start' && d.executionName).toBe(executionName({ ...KEY, uid: 'uid-1', generation: 1, operation: 'apply', attempt: 2 }));
    expect(d.reason).toMatch(/caught the failure in "Check AWS References" .* a redrive would only re-run that state/);
  });

  test('the attempt is one past every attempt of that generation, not just the latest', () => {
    const latest = exec({ attempt: 2, endedInFailState: true, startDate: new Date('2026-11-27T11:00:00Z') });
    const older = [exec({ attempt: 3, status: 'FAILED', startDate: new Date('2026-11-27T09:00:00Z') }), exec({ attempt: 1, startDate: new Date('2026-11-27T08:00:00Z') })];
    expect(decideReplay(group(), [latest, ...older], KEY)).toMatchObject({ action: 'start', attempt: 4 });
  });

  test('same generation but not redrivable any more: a new attempt', () => {
    expect(decideReplay(group(), [exec({ redrivable: false })], KEY)).toMatchObject({ action: 'start', attempt: 2 });
  });

  test('the object moved on to a newer generation: a fresh execution of the newest generation, never a redrive', () => {
    const failed = exec({ generation: 1, status: 'ABORTED', redrivable: true });
    const d = decideReplay(group({ generation: 3 }), [failed], KEY);
    expect(d).toMatchObject({ action: 'start', generation: 3, attempt: 1, replaces: failed });
    expect(d.reason).toMatch(/was for generation 1; the object is now at generation 3, so a redrive would apply an older spec/);
  });

  test('the group is being deleted after a failed apply: the delete workflow for the current generation', () => {
    const d = decideReplay(group({ generation: 2, deleting: true }), [exec({ generation: 2 })], KEY);
    expect(d).toMatchObject({ action: 'start', operation: 'delete', generation: 2, attempt: 1 });
  });

  test.each([
    ['the group is gone', undefined, [exec({})], /does not exist/],
    ['no executions', group(), [], /no executions found for team-a\/hello-world/],
    ['one is running', group(), [exec({ status: 'RUNNING' })], /is still running/],
    ['the latest succeeded', group({ generation: 2 }), [exec({ generation: 2, status: 'SUCCEEDED' }), exec({ generation: 1 })], /ended SUCCEEDED: there is no failed execution to replay$/],
    ['the latest succeeded and a newer generation never ran', group({ generation: 3 }), [exec({ generation: 2, status: 'SUCCEEDED' })], /generation 3 has no execution yet: .*imctl replay --since/],
  ] as const)('refuses when %s', (_what, g, executions, reason) => {
    const d = decideReplay(g, [...executions], KEY);
    expect(d.action).toBe('refuse');
    expect(d.reason).toMatch(reason);
  });
});

describe('changeFor', () => {
  test('is built from the object as it is now: its generation, resourceVersion and spec', () => {
    const g = group({ generation: 3 });
    g.spec['eks-cf']!.maxSize = 7;
    const d = decideReplay(g, [exec({ generation: 1 })], KEY);
    if (d.action !== 'start') throw new Error(d.reason);
    const change = changeFor(g, d, { name: 'my-eks-cluster', defaults: { subnets: ['subnet-a'] } }, new Date('2026-11-27T12:00:00Z'));
    expect(change).toEqual({
      version: 1,
      cluster: { name: 'my-eks-cluster', defaults: { subnets: ['subnet-a'] } },
      group: { namespace: 'team-a', name: 'hello-world', uid: 'uid-1', generation: 3, resourceVersion: '42' },
      provisioner: 'eks-cf',
      operation: 'apply',
      reason: 'resync',
      attempt: 1,
      spec: g.spec,
      sentAt: '2026-11-27T12:00:00.000Z',
    });
  });
});
