// Rotation progress goes through the same status reporting as every workflow report (status.rotation, the
// Progressing condition and a "Rotating" Event), so `kubectl describe`, `kubectl get -o yaml` and `imctl status`
// all show the batch, the count and what the rotation waits on. Best effort: a rotation never fails for it.
import type { Logger } from '../../../core/log/index.js';
import type { RotationProgress } from '../../../core/status/index.js';
import { reportStatus } from '../../shared/report-status.js';
import type { WorkflowState } from '../../shared/workflow-state.js';
import { access } from './context.js';
import { progressMessage, type RotationBatch } from './plan.js';

export async function reportRotation(state: WorkflowState, rotation: RotationProgress, log: Logger): Promise<void> {
  try {
    await reportStatus({ change: state.change, execution: state.execution, report: { phase: 'rotating', rotation } }, { clusterAccess: access(), log });
  } catch (error) {
    log.warn('could not report rotation progress', { error });
  }
}

/** The progress of a batch with `replacedNow` of its nodes replaced, waiting on `waitingFor` (if anything). */
export function batchProgress(batch: RotationBatch, replacedNow: number, waitingFor?: string): RotationProgress {
  return {
    batch: batch.index,
    batches: batch.total,
    replaced: batch.replacedBefore + replacedNow,
    total: batch.nodesTotal,
    message: progressMessage(batch, replacedNow),
    ...(waitingFor ? { waitingFor } : {}),
  };
}
