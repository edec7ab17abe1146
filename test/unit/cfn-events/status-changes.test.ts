import { statusChanges } from '../../../local/cfn-events/index.js';

describe('local CloudFormation status events (emulation of what CloudFormation puts on EventBridge)', () => {
  const id = (n: string) => `arn:aws:cloudformation:us-west-2:123456789012:stack/${n}/1`;

  it('emits one event per stack whose status changed to a non-in-progress status, shaped as AWS documents it', () => {
    const before = new Map([[id('a'), 'CREATE_IN_PROGRESS'], [id('b'), 'UPDATE_COMPLETE']]);
    const events = statusChanges(before, [
      { stackId: id('a'), status: 'CREATE_COMPLETE' },
      { stackId: id('b'), status: 'UPDATE_COMPLETE' },
      { stackId: id('c'), status: 'DELETE_IN_PROGRESS' },
      { stackId: id('d'), status: 'ROLLBACK_COMPLETE', reason: 'subnet not found' },
    ], 'us-west-2', '123456789012');
    expect(events.map((e) => [e.detail['stack-id'], e.detail['status-details'].status])).toEqual([
      [id('a'), 'CREATE_COMPLETE'],
      [id('d'), 'ROLLBACK_COMPLETE'],
    ]);
    expect(events[1]).toMatchObject({
      source: 'aws.cloudformation',
      'detail-type': 'CloudFormation Stack Status Change',
      resources: [id('d')],
      detail: { 'status-details': { 'status-reason': 'subnet not found' } },
    });
  });

  it('records the first look without emitting (statuses that predate the watcher are not changes)', () => {
    expect(statusChanges(undefined, [{ stackId: id('a'), status: 'CREATE_COMPLETE' }], 'us-west-2', '1')).toEqual([]);
  });
});
