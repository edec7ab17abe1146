// What a batch that ends without terminating its nodes does with the capacity it surged. A batch ends that way
// when its drain stops at drainTimeout (drainTimeoutAction stop) or when a newer generation supersedes it. Its
// surge raised the group's desired capacity; left alone, that node would stay for good. So before the batch ends,
// the group gives back exactly what the batch added, and the desired capacity returns to what it was:
//   1. first the batch's own outdated instances whose nodes are already empty (still cordoned, every pod that had
//      to leave has left): they were on their way out, so the batch keeps that much progress;
//   2. then the surge instances, drained the same way as any batch (cordon, Eviction API, budgets respected;
//      their pods go back to the batch's nodes, uncordoned by then);
// each with TerminateInstanceInAutoScalingGroup(ShouldDecrementDesiredCapacity), so nothing is launched in its
// place. The batch's other nodes are uncordoned. A surge node whose pods a budget still holds at drainTimeout is
// forced with drainTimeoutAction force; with stop it is uncordoned and kept, and the message names it (the one
// case where capacity stays above desired, and it is said in status).
import type { KubeRest } from '../../../core/kube/rest.js';
import { instanceIdOf, scalingGroupInstances, type KubeNode } from '../../shared/nodes.js';
import { cordon, drainPass, nodesOf, remainingPods, uncordon, type Blocked } from './drain.js';
import type { RotationSettings } from './plan.js';
import { terminate, type RotationClients } from './scaling-group.js';

export interface Release {
  /** How many instances the group gives back: the batch's surge. */
  owed: number;
  /** Instances terminated with the desired capacity decremented, so far. */
  given: string[];
  /** When the release began: its drain of surge nodes is bounded by drainTimeout from here. */
  since: string;
  done: boolean;
  /** Surge instances kept because a budget held their pods past drainTimeout (drainTimeoutAction stop). */
  kept?: string[];
  blocked?: Blocked;
  /** The batch's nodes uncordoned on the way (rotation's own cordon only). */
  uncordoned?: string[];
}

export interface BatchFacts {
  scalingGroupName: string;
  /** The batch's outdated instances. */
  instanceIds: string[];
  /** The group's live instances before the batch surged. */
  before: string[];
  settings: RotationSettings;
  /** The generation whose rotation this is (recorded on what it cordons). */
  generation: number;
}

const isEmptyAndCordoned = async (kube: KubeRest, node: KubeNode) =>
  !!(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable && (await remainingPods(kube, [node])) === 0;

/** One pass; call again (after a wait) until `done`. Idempotent: every pass starts from what AWS and the cluster say. */
export async function releasePass(kube: KubeRest, clients: RotationClients, batch: BatchFacts, release: Release, now = new Date()): Promise<Release> {
  const given = [...release.given];
  const owed = () => release.owed - given.length;
  const live = new Set((await scalingGroupInstances(clients.autoscaling, batch.scalingGroupName)).instances.map((i) => i.id));

  const batchNodes = await nodesOf(kube, batch.instanceIds.filter((id) => live.has(id)));
  for (const node of batchNodes) {
    if (owed() <= 0) break;
    if (!(await isEmptyAndCordoned(kube, node))) continue;
    const id = instanceIdOf(node.spec?.providerID)!;
    await terminate(clients, [id], true);
    given.push(id);
  }
  const uncordoned = [...(release.uncordoned ?? []), ...(await uncordon(kube, await nodesOf(kube, batch.instanceIds)))];
  release = { ...release, uncordoned };
  if (owed() <= 0) return { ...release, given, done: true };

  const before = new Set(batch.before);
  const surge = [...live].filter((id) => !before.has(id) && !given.includes(id)).sort().slice(0, owed());
  const surgeNodes = await nodesOf(kube, surge);
  const timedOut = (now.getTime() - Date.parse(release.since)) / 1000 >= batch.settings.drainTimeoutSeconds;
  const force = timedOut && batch.settings.drainTimeoutAction === 'force';
  let blocked: Blocked | undefined;
  for (const id of surge) {
    const node = surgeNodes.find((n) => instanceIdOf(n.spec?.providerID) === id);
    if (node) {
      await cordon(kube, [node], batch.generation);
      const look = await drainPass(kube, [node], force);
      if (look.remaining > 0) {
        blocked ??= look.blocked[0];
        continue;
      }
    }
    await terminate(clients, [id], true);
    given.push(id);
  }
  if (owed() <= 0) return { ...release, given, done: true };
  if (timedOut && !force) {
    const kept = surge.filter((id) => !given.includes(id));
    await uncordon(kube, await nodesOf(kube, kept));
    return { ...release, given, done: true, kept, ...(blocked ? { blocked } : {}) };
  }
  return { ...release, given, done: false, ...(blocked ? { blocked } : {}) };
}

/** The release in words, for the batch's closing message. */
export function describeRelease(release: Release): string {
  const parts: string[] = [`nodes ${release.uncordoned?.join(', ') || 'none'} uncordoned`];
  if (release.given.length) parts.push(`gave back ${release.given.join(', ')} (desired capacity decremented)`);
  if (release.kept?.length) {
    const why = release.blocked ? `: PodDisruptionBudget ${release.blocked.budget ?? '(unnamed)'} holds pod ${release.blocked.pod}` : '';
    parts.push(`kept surge instance ${release.kept.join(', ')}${why}; desired capacity stays ${release.kept.length} above the size before the batch; lower it once the budget allows`);
  }
  return parts.join('; ');
}
