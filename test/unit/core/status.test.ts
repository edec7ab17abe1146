import { groupNodeLabels, labelSafe, nodeRoleLabel } from '../../../core/names/index.js';
import { nodesReadyCondition, statusAfter, type ExecutionInfo } from '../../../core/status/index.js';

const execution: ExecutionInfo = { arn: 'arn:aws:states:us-west-2:1:execution:m:e', name: 'e', consoleUrl: 'u', generation: 2, operation: 'apply', attempt: 1 };
const now = '2026-01-01T00:00:00Z';

describe('NodesReady', () => {
  it('a ready report with every node joined: counts in status, NodesReady True', () => {
    const status = statusAfter(undefined, { phase: 'ready', execution, observed: {}, nodes: { desired: 3, ready: 3, checked: true } }, now);
    expect([status.desiredNodes, status.readyNodes]).toEqual([3, 3]);
    expect(status.conditions?.find((c) => c.type === 'NodesReady')).toMatchObject({ status: 'True', reason: 'NodesJoined', message: '3 of 3 nodes joined the cluster and are Ready.' });
  });

  it('a failure with nodes missing: NodesReady False with the count and the message', () => {
    const message = '0 of 2 nodes joined; check the node role mapping, user data, security group and API endpoint';
    const status = statusAfter(undefined, { phase: 'failed', execution, reason: 'NodesNotJoined', message, retryable: false, nodes: { desired: 2, ready: 0, checked: true, message } }, now);
    expect(status.currentState).toBe('Error');
    expect([status.desiredNodes, status.readyNodes]).toEqual([2, 0]);
    expect(status.conditions?.find((c) => c.type === 'NodesReady')).toMatchObject({ status: 'False', reason: 'NodesNotJoined', message });
  });

  it('a skipped check: NodesReady Unknown and no counts', () => {
    const status = statusAfter(undefined, { phase: 'ready', execution, observed: {}, nodes: { desired: 1, ready: 0, checked: false, message: 'off' } }, now);
    expect(status.readyNodes).toBeUndefined();
    expect(nodesReadyCondition({ desired: 1, ready: 0, checked: false })).toMatchObject({ status: 'Unknown', reason: 'NotChecked' });
    expect(status.conditions?.find((c) => c.type === 'NodesReady')).toMatchObject({ status: 'Unknown', message: 'off' });
  });

  it('a new execution keeps the previous NodesReady until it has counted again', () => {
    const ready = statusAfter(undefined, { phase: 'ready', execution, observed: {}, nodes: { desired: 1, ready: 1, checked: true } }, now);
    const started = statusAfter(ready, { phase: 'started', execution: { ...execution, generation: 3 } }, now);
    expect(started.conditions?.map((c) => c.type)).toContain('NodesReady');
  });
});

describe('node labels', () => {
  it('name the group and fit a label value', () => {
    expect(groupNodeLabels({ namespace: 'team-a', name: 'web' })).toEqual({
      'instancemgr.keikoproj.io/namespace': 'team-a',
      'instancemgr.keikoproj.io/instancegroup': 'web',
    });
    expect(nodeRoleLabel({ name: 'hello-world' })).toBe('node-role.kubernetes.io/hello-world');
    const long = `${'a'.repeat(60)}.b.c-d-${'e'.repeat(40)}`;
    const safe = labelSafe(long);
    expect(safe.length).toBeLessThanOrEqual(63);
    expect(safe).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    expect(labelSafe(`${long}x`)).not.toBe(safe);
  });
});
