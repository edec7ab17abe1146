import { clients, isSuperseded, type BatchInput } from '../rotation/context.js';
import { surgeCount } from '../rotation/plan.js';
import { readScalingGroup, setDesired } from '../rotation/scaling-group.js';
import type { StepContext } from '../../kit/step.js';

/**
 * Opens a batch: stops at this clean point when a newer generation arrived, else launches replacements ahead of
 * the drain where maxSize leaves room (surge), so capacity never drops below the desired size when it can be avoided.
 */
export const startBatchStep = async (input: BatchInput, { log }: StepContext) => {
  if (await isSuperseded(input)) return { skip: true, surged: 0, message: `batch ${input.batch.index} of ${input.batch.total} not started: a newer generation supersedes this rotation` };
  const group = await readScalingGroup(clients(), input.scalingGroupName);
  const still = new Set(group?.instances.map((i) => i.id) ?? []);
  const instanceIds = input.batch.instanceIds.filter((id) => still.has(id));
  if (!group || !instanceIds.length) return { skip: true, surged: 0, message: `batch ${input.batch.index}: its instances are gone already` };
  const surged = surgeCount(group.desired, group.maxSize, instanceIds.length);
  if (surged) await setDesired(clients(), group.name, group.desired + surged);
  log.info('batch started', { batch: input.batch.index, instances: instanceIds, surged, desired: group.desired + surged });
  return { skip: false, surged, instanceIds, polls: 0 };
};
