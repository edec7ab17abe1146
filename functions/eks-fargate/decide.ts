// "Decide Next Change": one pass of the eks-fargate loop. Re-reads the InstanceGroup (an execution never goes on
// applying a generation that a newer one replaced), reads every profile of the cluster and picks the next action.
import type { EKSClient } from '@aws-sdk/client-eks';
import { MissingReferenceError, TerminalError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { stopPlanIfUnwanted } from '../shared/group.js';
import { ownedBy } from '../eks-managed/iam-role.js';
import { planApply, planDelete, type ProfileDecision } from './plan.js';
import { clusterProfiles } from './profiles.js';
import { fenceBeforeNothingLeft } from '../shared/delete-fence-check.js';
import type { EksFargateState, NotFoundReport, ProfilePlan } from './state.js';

export interface DecideInput extends Pick<EksFargateState, 'change' | 'execution' | 'group' | 'role' | 'plan'> {
  purpose: 'apply' | 'delete';
  maxPasses: number;
}

export interface DecideDeps {
  eks: EKSClient;
  access: ClusterAccess;
}

export async function decideProfile(input: DecideInput, deps: DecideDeps): Promise<ProfilePlan> {
  const pass = (input.plan?.pass ?? 0) + 1;
  const history = input.plan?.history ?? [];
  const { ref, spec } = input.group;

  const stop = await stopPlanIfUnwanted(input, deps.access, pass, history);
  if (stop) return stop;
  if (pass > input.maxPasses) {
    throw new TerminalError(
      `The Fargate profiles of ${ref.namespace}/${ref.name} still need changes after ${input.maxPasses} rounds (${history.join('; ') || 'none made'}); ` +
        'something else is changing them: look at the cluster in the EKS console, then replay the execution',
    );
  }

  const { profiles, clusterMissing } = await clusterProfiles(deps.eks, ref.clusterName);

  if (input.purpose === 'delete') {
    const decision = planDelete(ref, profiles);
    const notFound = input.plan?.notFound ?? (pass === 1 ? missingOnDelete(input, profiles, clusterMissing) : undefined);
    if (decision.action === 'none' && !clusterMissing) {
      // Waiting out the fence is not a round of changes: it does not count towards maxPasses.
      const fence = await fenceBeforeNothingLeft(input, deps.access, `No Fargate profile of ${ref.namespace}/${ref.name}`);
      if (fence) return { ...fence, pass: pass - 1, history, ...(notFound ? { notFound } : {}) };
    }
    return {
      ...decision,
      pass,
      history: decision.done ? [...history, decision.done] : history,
      ...(notFound ? { notFound } : {}),
    };
  }

  if (clusterMissing) {
    throw new MissingReferenceError([{ field: 'spec.eks-fargate.clusterName', message: `EKS cluster ${spec.clusterName} does not exist (any more)` }]);
  }
  if (!input.role?.podExecutionRoleArn) {
    throw new TerminalError('Decide Next Change needs the pod execution role; "Create Pod Execution Role If Needed" must run first');
  }
  const decision = planApply({ ref, spec, podExecutionRoleArn: input.role.podExecutionRoleArn }, profiles, {
    idempotencyKey: input.execution.arn,
  });
  const next = decision.done ? [...history, decision.done] : history;
  return {
    ...decision,
    pass,
    history: next,
    ...(decision.action === 'none'
      ? readyReport(
          decision,
          next.length
            ? `${next.join('. ')}. ${decision.summary}.`
            : `${decision.summary}; nothing to change (AWS cannot change a profile, so an unchanged spec leaves it alone).`,
        )
      : {}),
  };
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

function readyReport(decision: ProfileDecision, message: string): Pick<ProfilePlan, 'message' | 'report'> {
  return { message, report: { phase: 'ready', observed: decision.observed ?? {}, message } };
}
