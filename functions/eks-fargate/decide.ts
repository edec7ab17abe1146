// "Decide Next Change" for eks-fargate: the shared loop (functions/shared/decide-loop.ts) over every profile of the
// cluster. What is eks-fargate's own: a delete that finds no profile says so in status (missingOnDelete).
import { appliedRound, decideNext, roleFromEarlierStep, type DecideDeps, type DecideInputOf } from '../shared/decide-loop.js';
import { ownedBy } from '../shared/ownership.js';
import type { DesiredProfile, ProfileDecision } from './plan.js';
import { clusterProfiles, ownProfiles, planProfiles, type ClusterProfiles } from './profiles.js';
import type { EksFargateState, NotFoundReport, ProfilePlan } from './state.js';

export type DecideInput = DecideInputOf<EksFargateState>;

export type { DecideDeps };

export async function decideProfile(input: DecideInput, deps: DecideDeps): Promise<ProfilePlan> {
  const { ref, spec } = input.group;
  // The manager's find and plan alone (functions/eks-fargate/profiles.ts): the bundle holds no create/tag/delete.
  return decideNext<DesiredProfile, ClusterProfiles, ProfileDecision, ProfilePlan>(input, deps.access, {
    plural: 'Fargate profiles',
    noun: 'Fargate profile',
    whereToLook: 'look at the cluster in the EKS console',
    clusterField: 'spec.eks-fargate.clusterName',
    find: () => clusterProfiles(deps.eks, ref.clusterName),
    plan: planProfiles,
    ours: (found) => ownProfiles(found, ref),
    deleteExtras: (found, pass) => {
      const notFound = input.plan?.notFound ?? (pass === 1 ? missingOnDelete(input, found.profiles, found.clusterMissing) : undefined);
      return notFound ? { notFound } : {};
    },
    desired: (stamp) => ({
      ref,
      spec,
      podExecutionRoleArn: roleFromEarlierStep(input.role?.podExecutionRoleArn, 'pod execution role', 'Create Pod Execution Role If Needed'),
      stamp,
    }),
    applied: (decision, round) =>
      appliedRound(decision, round, {
        unchanged: 'nothing to change (AWS cannot change a profile, so an unchanged spec leaves it alone)',
        report: (d, message) => ({ phase: 'ready', observed: d.observed ?? {}, message }),
      }),
  });
}

/**
 * The reference README promises an error code when a delete finds no profile to delete. Reported only when the
 * group had one: its status names it, or the spec fixed its name.
 */
function missingOnDelete(
  input: DecideInput,
  profiles: { fargateProfileName?: string; tags?: Record<string, string> }[],
  clusterMissing: boolean,
): NotFoundReport | undefined {
  const { ref } = input.group;
  if (profiles.some((p) => ownedBy(p.tags, ref))) return undefined;
  const expected = input.group.recorded.fargateProfileName ?? input.group.spec.profileName;
  if (!expected) return undefined;
  if (clusterMissing) {
    return {
      reason: 'ClusterNotFound',
      message: `EKS cluster ${ref.clusterName} does not exist, so Fargate profile ${expected} is gone with it; nothing to delete. The object is released.`,
    };
  }
  const occupant = profiles.find((p) => p.fargateProfileName === expected);
  if (occupant) {
    return {
      reason: 'ProfileNotOwned',
      message: `Fargate profile ${expected} in cluster ${ref.clusterName} was not created by instance-manager for this group; it is left in place. The object is released.`,
    };
  }
  return {
    reason: 'ProfileNotFound',
    message: `Fargate profile ${expected} does not exist in cluster ${ref.clusterName} (deleted outside instance-manager, or never created); nothing to delete. The object is released.`,
  };
}
