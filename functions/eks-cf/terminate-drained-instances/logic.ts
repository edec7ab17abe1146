import { clients, recordProgress, type BatchInput } from '../rotation/context.js';
import { progressMessage } from '../rotation/plan.js';
import { terminate } from '../rotation/scaling-group.js';
import type { StepContext } from '../../kit/step.js';

/**
 * Terminates the drained instances. Those a surge replaced give their capacity back (desired decremented); the
 * rest are replaced by the group itself, and the next batch (or the final node check) waits for them.
 */
export const terminateDrainedInstancesStep = async (input: BatchInput & { start: { instanceIds: string[]; surged: number } }, { log }: StepContext) => {
  const ids = input.start.instanceIds;
  const surged = Math.min(input.start.surged, ids.length);
  await terminate(clients(), ids.slice(0, surged), true);
  await terminate(clients(), ids.slice(surged), false);
  const message = progressMessage(input.batch, ids.length);
  await recordProgress(input, message);
  log.info('batch terminated', { instances: ids, surged, message });
  return { terminated: ids, message };
};
