// The rotation's steps other than the drain (drain-step.ts): plan, open a batch, wait for its replacements,
// terminate what was drained. Each handler is a one-line wiring of one of these.
import { namedCluster } from '../../../core/events/index.js';
import type { Logger } from '../../../core/log/index.js';
import { isoDurationSeconds } from '../../../core/spec/normalize.js';
import type { EksCfState } from '../state.js';
import { loadGroup } from '../../shared/group.js';
import { scalingGroupInstances, takeCensus } from '../../shared/nodes.js';
import type { WorkflowState } from '../../shared/workflow-state.js';
import { access, clients, isSuperseded, type BatchInput } from './context.js';
import { cordonedByOlder, nodesOf, uncordon } from './drain.js';
import { planRotation, surgeCount } from './plan.js';
import { batchProgress, reportRotation } from './progress.js';
import { readScalingGroup, setDesired, terminate } from './scaling-group.js';

interface Ctx {
  log: Logger;
}

export const UPGRADE_LOCK_ANNOTATION = 'instancemgr.keikoproj.io/upgrade-locked';

/**
 * Plan Rotation: finds the instances launched from an older launch template version than the group's latest and
 * splits them into batches of maxUnavailable. CloudFormation only moved the launch template; rotation starts here.
 */
export async function planStep(input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }: Ctx) {
  const name = input.stack.observed?.activeScalingGroupName;
  const group = name ? await readScalingGroup(clients(), name) : undefined;
  const policy = input.group.spec.strategy.rollingUpdate;
  if (!group) return { needed: false, held: false, batches: [], message: 'no Auto Scaling group yet' };
  const plan = planRotation(group, policy, isoDurationSeconds(policy.pauseTime));
  const held = plan.needed && (await lockedByAnnotation(input));
  log.info('rotation planned', { outdated: plan.outdated.length, batches: plan.batches.length, held, latestVersion: plan.latestVersion });
  if (plan.needed && !held) {
    const total = plan.outdated.length;
    await reportRotation(input, { batch: 0, batches: plan.batches.length, replaced: 0, total, message: plan.message }, log);
  }
  return {
    ...plan,
    held,
    clusterName: input.group.ref.clusterName,
    ...(held
      ? { heldMessage: `upgrade held: ${plan.outdated.length} outdated nodes wait for rotation because the group has ${UPGRADE_LOCK_ANNOTATION}: "true"; remove the annotation to let it go on` }
      : {}),
  };
}

async function lockedByAnnotation(state: WorkflowState): Promise<boolean> {
  const { object } = await loadGroup(state, access());
  const annotations = (object?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  return annotations?.[UPGRADE_LOCK_ANNOTATION] === 'true';
}

/**
 * Start Batch: stops at this clean point when a newer generation arrived, else launches replacements ahead of the
 * drain where maxSize leaves room (surge), so capacity never drops below the desired size when it can be avoided.
 * `before` (the live instances before the surge) lets a batch that ends early find and give back its surge.
 */
export async function startBatch(input: BatchInput, { log }: Ctx) {
  const { batch } = input;
  if (await isSuperseded(input)) return { skip: true, surged: 0, message: `batch ${batch.index} of ${batch.total} not started: a newer generation supersedes this rotation` };
  const group = await readScalingGroup(clients(), input.scalingGroupName);
  const still = new Set(group?.instances.map((i) => i.id) ?? []);
  const instanceIds = batch.instanceIds.filter((id) => still.has(id));
  if (!group || !instanceIds.length) return { skip: true, surged: 0, message: `batch ${batch.index}: its instances are gone already` };
  const surged = surgeCount(group.desired, group.maxSize, instanceIds.length);
  if (surged) await setDesired(clients(), group.name, group.desired + surged);
  log.info('batch started', { batch: batch.index, instances: instanceIds, surged, desired: group.desired + surged });
  const waitingFor = `replacement nodes to be Ready${surged ? ` (${surged} surged ahead of the drain)` : ''}`;
  await reportRotation(input, batchProgress(batch, 0, waitingFor), log);
  return { skip: false, surged, instanceIds, before: [...still].sort(), polls: 0 };
}

const REPLACEMENT_WAITS = [5, 10, 20, 30];
const REPLACEMENT_BOUND_SECONDS = 900;

/** How long a newer rotation waits for an older one to release the nodes it cordoned before releasing them itself. */
const OLDER_ROTATION_GRACE_SECONDS = 300;

/**
 * Check Replacement Nodes: every instance the group should have is a Ready node (the batch's replacements joined),
 * and no older generation's rotation still holds a batch cordoned: a superseded rotation first ends its batch
 * (release.ts), so two rotations never drain at once. One that does not within a grace period (its execution was
 * stopped) has its nodes uncordoned here.
 */
export async function checkReplacements(input: BatchInput & { replacements?: { polls?: number; startedAt?: string } }, { log }: Ctx) {
  const now = new Date();
  const polls = (input.replacements?.polls ?? 0) + 1;
  const startedAt = input.replacements?.startedAt ?? now.toISOString();
  const elapsed = (now.getTime() - Date.parse(startedAt)) / 1000;
  const kube = await access().connect(namedCluster(input.change.cluster, input.clusterName));
  const scaling = await scalingGroupInstances(clients().autoscaling, input.scalingGroupName);
  const census = await takeCensus(kube, input.change.group, scaling);
  let held = cordonedByOlder(await nodesOf(kube, scaling.instances.map((i) => i.id)), input.change.group.generation);
  if (held.length && elapsed >= OLDER_ROTATION_GRACE_SECONDS) {
    log.warn('an older rotation left nodes cordoned; releasing them', { nodes: held.map((n) => n.metadata.name) });
    await uncordon(kube, held);
    held = [];
  }
  const ready = census.instances >= census.desired && census.ready >= census.desired && !held.length;
  const timedOut = !ready && elapsed >= REPLACEMENT_BOUND_SECONDS;
  log.info('replacements counted', { desired: census.desired, ready: census.ready, heldByOlderRotation: held.length, polls });
  const counted = `${census.ready} of ${census.desired} nodes Ready while rotating batch ${input.batch.index} of ${input.batch.total}`;
  return {
    ready,
    timedOut,
    polls,
    startedAt,
    nextWaitSeconds: REPLACEMENT_WAITS[Math.min(polls, REPLACEMENT_WAITS.length) - 1],
    message: held.length ? `${counted}; waiting for an older generation's rotation to release ${held.map((n) => n.metadata.name).join(', ')}` : counted,
  };
}

/**
 * Terminate Drained Instances: those a surge replaced give their capacity back (desired decremented); the rest are
 * replaced by the group itself, and the next batch (or the final node check) waits for them.
 */
export async function terminateDrained(input: BatchInput & { start: { instanceIds: string[]; surged: number } }, { log }: Ctx) {
  const ids = input.start.instanceIds;
  const surged = Math.min(input.start.surged, ids.length);
  await terminate(clients(), ids.slice(0, surged), true);
  await terminate(clients(), ids.slice(surged), false);
  const progress = batchProgress(input.batch, ids.length);
  await reportRotation(input, progress, log);
  log.info('batch terminated', { instances: ids, surged, message: progress.message });
  return { terminated: ids, message: progress.message };
}
