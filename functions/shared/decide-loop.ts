// "Decide Next Change", the loop eks-managed and eks-fargate share: re-read the InstanceGroup (an execution never
// goes on applying a generation that a newer one replaced), bound the rounds, find what AWS holds, plan the next
// change, and on delete wait out the fence before "nothing left" may stand. What differs per provisioner (its
// resource manager, how an apply is decided, what the Ready report says) is passed in.
import type { EKSClient } from '@aws-sdk/client-eks';
import { MissingReferenceError, TerminalError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import type { GroupRef } from '../../core/names/index.js';
import { fenceBeforeNothingLeft } from './delete-fence-check.js';
import { stopPlanIfUnwanted, type StopPlan } from './group.js';
import type { Report } from './report.js';
import type { Decision } from './resource-manager.js';
import { newestGeneration } from './stamp.js';
import type { WorkflowState } from './workflow-state.js';

export interface LoopInput extends WorkflowState {
  group: { ref: GroupRef; spec: { clusterName: string } };
  plan?: { pass?: number; history?: string[] };
  purpose: 'apply' | 'delete';
  /** Bound on the loop: decisions per execution. */
  maxPasses: number;
}

/** What a provisioner's decide step is given: its EKS client and the way to the group's cluster. */
export interface DecideDeps {
  eks: EKSClient;
  access: ClusterAccess;
}

/** The loop's bookkeeping on top of a decision. */
export interface Round {
  pass: number;
  history: string[];
}

export interface LoopSteps<Found extends { clusterMissing: boolean }, D extends Decision, Plan> {
  /** "node groups", "Fargate profiles". */
  plural: string;
  /** "node group", "Fargate profile". */
  noun: string;
  /** Where a person looks when the loop does not converge. */
  whereToLook: string;
  /** The spec field that names the cluster. */
  clusterField: string;
  find(): Promise<Found>;
  planDelete(found: Found): D;
  /** Extra fields of every delete round (eks-fargate's not-found report, for instance). */
  deleteExtras?(found: Found, pass: number): Partial<Plan>;
  /** The whole apply round, given the loop's bookkeeping (see appliedRound). */
  decideApply(found: Found, round: Round): Plan;
  /** The tags of the group's resources found, whose stamps (stamp.ts) say which generation last wrote them. */
  stampedTags(found: Found): (Record<string, string> | undefined)[];
}

/** One round of the loop, for either purpose. */
export async function decideNext<Found extends { clusterMissing: boolean }, D extends Decision, Plan>(
  input: LoopInput,
  access: ClusterAccess,
  steps: LoopSteps<Found, D, Plan>,
): Promise<Plan> {
  const pass = (input.plan?.pass ?? 0) + 1;
  const history = input.plan?.history ?? [];
  const { ref, spec } = input.group;

  const stop = await stopPlanIfUnwanted(input, access, pass, history);
  if (stop) return stop as Plan;
  if (pass > input.maxPasses) {
    throw new TerminalError(
      `The ${steps.plural} of ${ref.namespace}/${ref.name} still need changes after ${input.maxPasses} rounds (${history.join('; ') || 'none made'}); ` +
        `something else is changing them: ${steps.whereToLook}, then replay the execution`,
    );
  }

  const found = await steps.find();
  if (input.purpose === 'delete') {
    const decision = steps.planDelete(found);
    const extras = steps.deleteExtras?.(found, pass) ?? {};
    if (decision.action === 'none' && !found.clusterMissing) {
      // Waiting out the fence is not a round of changes: it does not count towards maxPasses.
      const fence = await fenceBeforeNothingLeft(input, access, `No ${steps.noun} of ${ref.namespace}/${ref.name}`);
      if (fence) return { ...fence, pass: pass - 1, history, ...extras } as Plan;
    }
    return { ...decision, pass, history: decision.done ? [...history, decision.done] : history, ...extras } as Plan;
  }

  if (found.clusterMissing) {
    throw new MissingReferenceError([{ field: steps.clusterField, message: `EKS cluster ${spec.clusterName} does not exist (any more)` }]);
  }
  const newer = newerInAws(input, steps.stampedTags(found));
  if (newer !== undefined) {
    return {
      action: 'superseded',
      pass,
      history,
      latestGeneration: newer,
      report: { phase: 'superseded', latestGeneration: newer },
      summary: `Stopping: AWS holds the work of generation ${newer}, and generation ${input.change.group.generation} is older`,
    } satisfies StopPlan as Plan;
  }
  return steps.decideApply(found, { pass, history });
}

/**
 * A generation of this group newer than the execution's that already wrote one of its resources (shared/stamp.ts).
 * Normally the re-read object says so first; this holds when that read lags behind what AWS already carries.
 */
function newerInAws(input: LoopInput, tagSets: (Record<string, string> | undefined)[]): number | undefined {
  const { uid, generation } = input.change.group;
  const newest = newestGeneration(tagSets.map((tags) => tags ?? {}), uid);
  return newest !== undefined && newest > generation ? newest : undefined;
}

/**
 * An apply round from its decision: the change joins the history; a decision of nothing left to do carries the
 * Ready report (the changes made, then how the resource stands; `unchanged` when nothing changed).
 */
export function appliedRound<D extends Decision>(
  decision: D,
  round: Round,
  ready: { unchanged: string; report: (decision: D, message: string) => Report },
): D & Round & { message?: string; report?: Report } {
  const history = decision.done ? [...round.history, decision.done] : round.history;
  if (decision.action !== 'none') return { ...decision, pass: round.pass, history };
  const message = history.length ? `${history.join('. ')}. ${decision.summary}.` : `${decision.summary}; ${ready.unchanged}.`;
  return { ...decision, pass: round.pass, history, message, report: ready.report(decision, message) };
}
