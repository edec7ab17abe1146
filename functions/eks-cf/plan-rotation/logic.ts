import { isoDurationSeconds } from '../../../core/spec/normalize.js';
import { planRotation } from '../rotation/plan.js';
import { access, clients, recordProgress } from '../rotation/context.js';
import { readScalingGroup } from '../rotation/scaling-group.js';
import type { EksCfState } from '../state.js';
import { loadGroup } from '../../shared/group.js';
import type { StepContext } from '../../kit/step.js';
import type { WorkflowState } from '../../shared/workflow-state.js';

export const UPGRADE_LOCK_ANNOTATION = 'instancemgr.keikoproj.io/upgrade-locked';

/**
 * Finds the instances launched from an older launch template version than the group's latest and splits them into
 * batches of maxUnavailable. CloudFormation only moved the launch template; this is where rotation starts.
 */
export const planRotationStep = async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }: StepContext) => {
  const name = input.stack.observed?.activeScalingGroupName;
  const group = name ? await readScalingGroup(clients(), name) : undefined;
  const policy = input.group.spec.strategy.rollingUpdate;
  if (!group) return { needed: false, held: false, batches: [], message: 'no Auto Scaling group yet' };
  const plan = planRotation(group, policy, isoDurationSeconds(policy.pauseTime));
  const held = plan.needed && (await lockedByAnnotation(input));
  log.info('rotation planned', { outdated: plan.outdated.length, batches: plan.batches.length, held, latestVersion: plan.latestVersion });
  if (plan.needed && !held) await recordProgress(input, plan.message);
  return {
    ...plan,
    held,
    clusterName: input.group.ref.clusterName,
    ...(held
      ? { heldMessage: `upgrade held: ${plan.outdated.length} outdated nodes wait for rotation because the group has ${UPGRADE_LOCK_ANNOTATION}: "true"; remove the annotation to let it go on` }
      : {}),
  };
};

async function lockedByAnnotation(state: WorkflowState): Promise<boolean> {
  const { object } = await loadGroup(state, access());
  const annotations = (object?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  return annotations?.[UPGRADE_LOCK_ANNOTATION] === 'true';
}
