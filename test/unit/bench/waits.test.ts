import type { HistoryEvent } from '@aws-sdk/client-sfn';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { callbackEnd, callbackStates, waitFigures } from '../../../bench/lib/waits.js';
import { checkNodeSections } from '../../../bench/lib/format.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const APPLY = 'arn:aws:states:us-west-2:123456789012:stateMachine:instance-manager-eks-cf-apply';

let clock = 0;
const ev = (type: string, name: string, ms: number, output?: unknown): HistoryEvent =>
  ({
    type,
    timestamp: new Date((clock += ms)),
    ...(type.endsWith('Entered') ? { stateEnteredEventDetails: { name } } : { stateExitedEventDetails: { name, ...(output !== undefined ? { output: JSON.stringify(output) } : {}) } }),
  }) as HistoryEvent;

/** One stack wait ended the given way, after `ms`. */
const stackWait = (stackEvent: unknown, ms: number) => [
  ev('TaskStateEntered', 'Wait For CloudFormation', 0),
  ev('TaskStateExited', 'Wait For CloudFormation', ms, { stackEvent }),
];

describe('bench waits: how each wait ended and how long it took', () => {
  it("reads eks-cf's callback wait and where it puts its result from the ASL", () => {
    expect(callbackStates(REPO, 'eks-cf-apply').get('Wait For CloudFormation')).toBe('stackEvent');
    expect(callbackStates(REPO, 'eks-cf-apply').get('Wait For Nodes To Join')).toBe('nodeEvent');
  });

  it('tells the stack event, the waiting function\'s own look, a failed stack and the fallback apart', () => {
    expect(callbackEnd({ stackStatus: 'CREATE_COMPLETE', seenBy: 'stack-event' })).toBe('event');
    expect(callbackEnd({ stackStatus: 'CREATE_COMPLETE', seenBy: 'await' })).toBe('own look');
    expect(callbackEnd({ node: 'ip-10-0-0-1', seenBy: 'node-event' })).toBe('event');
    expect(callbackEnd({ Error: 'StackSettledInFailure', Cause: 'ROLLBACK_COMPLETE: x' })).toBe('event: failed');
    expect(callbackEnd({ Error: 'States.Timeout' })).toBe('fallback');
    expect(callbackEnd(undefined)).toBe('other');
  });

  it('groups the waits of every execution by workflow, state and ending, with their durations', () => {
    const figures = waitFigures(REPO, [
      { stateMachineArn: APPLY, events: [...stackWait({ seenBy: 'stack-event' }, 40), ev('WaitStateEntered', 'Wait For Replacements', 1), ev('WaitStateExited', 'Wait For Replacements', 10)] },
      { stateMachineArn: APPLY, events: stackWait({ seenBy: 'stack-event' }, 60) },
      { stateMachineArn: APPLY, events: stackWait({ Error: 'States.Timeout' }, 60_000) },
      // A Task that is not a callback wait is not a wait.
      { stateMachineArn: APPLY, events: [ev('TaskStateEntered', 'Create Or Update Stack', 0), ev('TaskStateExited', 'Create Or Update Stack', 30, {})] },
    ]);
    expect(figures.map(({ state, kind, endedBy, n, ms }) => [state, kind, endedBy, n, ms.median])).toEqual([
      ['Wait For CloudFormation', 'callback', 'event', 2, 50],
      ['Wait For CloudFormation', 'callback', 'fallback', 1, 60_000],
      ['Wait For Replacements', 'timer', 'timer', 1, 10],
    ]);
    expect(checkNodeSections({ waits: JSON.parse(JSON.stringify(figures)) })).toEqual([]);
    expect(checkNodeSections({ waits: [{ workflow: 'eks-cf-apply' }] })[0]).toMatch(/waits\[0\]\.state: expected a string/);
  });

  it('checks the stack-waits section of a result file', () => {
    const settledToReadyMs = { n: 3, median: 400, min: 300, max: 600, p90: 600 };
    expect(checkNodeSections({ stackWaits: { runs: 3, settledToReadyMs } })).toEqual([]);
    expect(checkNodeSections({ stackWaits: { runs: 3 } })).toEqual(['$.stackWaits.settledToReadyMs: expected a summary {n, median, min, max, p90}']);
  });
});
