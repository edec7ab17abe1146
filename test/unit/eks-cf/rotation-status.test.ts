// Rotation progress in status (status.rotation, Progressing) and in `imctl status`.
import { renderStatus, rotationLine, statusRow } from '../../../cli/commands/status.js';
import { statusAfter, type ExecutionInfo } from '../../../core/status/index.js';
import { batchProgress } from '../../../functions/eks-cf/rotation/progress.js';
import { group } from '../cli/fakes.js';

const execution: ExecutionInfo = { arn: 'arn:x', name: 'web-g2-apply', consoleUrl: 'https://x', generation: 2, operation: 'apply', attempt: 1 };
const batch = { index: 2, total: 4, instanceIds: ['i-3'], replacedBefore: 1, nodesTotal: 4 };

describe('rotation progress', () => {
  test('a rotating report sets status.rotation and Progressing; Ready clears it, a failure keeps it', () => {
    const started = statusAfter(undefined, { phase: 'started', execution }, '2026-01-01T00:00:00Z');
    const rotating = statusAfter(started, { phase: 'rotating', execution, rotation: batchProgress(batch, 0, 'PodDisruptionBudget web/web to allow evicting pod web/web-1') }, '2026-01-01T00:01:00Z');
    expect(rotating.rotation).toEqual({
      generation: 2,
      batch: 2,
      batches: 4,
      replaced: 1,
      total: 4,
      message: 'rotating: batch 2 of 4, 1 of 4 nodes replaced',
      waitingFor: 'PodDisruptionBudget web/web to allow evicting pod web/web-1',
    });
    expect(rotating.currentState).toBe('ReconcileModifying');
    expect(rotating.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'Rotating', message: 'rotating: batch 2 of 4, 1 of 4 nodes replaced' });
    expect(rotating.conditions?.filter((c) => c.type === 'Ready')).toHaveLength(1);
    expect(statusAfter(rotating, { phase: 'ready', execution, observed: {} }, 'now').rotation).toBeUndefined();
    expect(statusAfter(rotating, { phase: 'failed', execution, reason: 'RotationBlocked', message: 'stopped', retryable: false }, 'now').rotation).toMatchObject({ batch: 2 });
    expect(statusAfter(rotating, { phase: 'started', execution: { ...execution, generation: 3 } }, 'now').rotation).toBeUndefined();
  });

  test('imctl status shows the batch, the nodes replaced and what the rotation waits on, below the table', () => {
    const rotation = { generation: 2, ...batchProgress(batch, 0, 'PodDisruptionBudget web/web to allow evicting pod web/web-1') };
    const rotating = statusRow(group({ name: 'web', generation: 2, status: { currentState: 'ReconcileModifying', rotation } }));
    expect(rotationLine(rotating)).toBe('rotating: batch 2 of 4, 1 of 4 nodes replaced (generation 2); waiting for PodDisruptionBudget web/web to allow evicting pod web/web-1');
    const stopped = statusRow(group({ name: 'web', generation: 2, status: { currentState: 'Error', rotation } }));
    expect(rotationLine(stopped)).toMatch(/^rotation stopped at batch 2 of 4, 1 of 4 nodes replaced/);
    const quiet = statusRow(group({ name: 'db', generation: 1, status: { currentState: 'Ready' } }));
    expect(rotationLine(quiet)).toBeUndefined();
    const out = renderStatus([quiet, rotating], true).split('\n');
    expect(out.at(-1)).toBe(`team-a/web: ${rotationLine(rotating)}`);
    expect(renderStatus([quiet], false)).not.toContain('rotating');
  });
});
