// "Decide Next Change", the loop eks-managed and eks-fargate share: re-read the InstanceGroup (an execution never
// goes on applying a generation that a newer one replaced), bound the rounds, find what AWS holds, stop when AWS
// holds a newer generation's work, plan the next change (the intent, apply or delete, is built here), and on delete
// wait out the fence before "nothing left" may stand. What differs per provisioner (its resource manager, what an
// apply needs from earlier steps, what the Ready report says) is passed in.
import type { EKSClient } from '@aws-sdk/client-eks';
import { MissingReferenceError, TerminalError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import type { GroupRef } from '../../core/names/index.js';
import { fenceBeforeNothingLeft } from './delete-fence-check.js';
import { stopPlanIfUnwanted, type StopPlan } from './group.js';
import type { Report } from './report.js';
import type { EksResource } from './eks-resource-plan.js';
import type { Decision, Intent } from './resource-manager.js';
import { newestGeneration, stampOf, type Stamp } from './stamp.js';
import type { WorkflowState } from './workflow-state.js';

export interface LoopInput extends WorkflowState {
  group: { ref: GroupRef; spec: { clusterName: string } };
  plan?: { pass?: number; history?: string[] };
  purpose: 'apply' | 'delete';
  /** Bound on the loop: decisions per execution. */
  maxPasses: number;
}

/** A provisioner's "Decide Next Change" input, from its workflow state. */
export type DecideInputOf<State extends WorkflowState & { group: unknown; role?: unknown; plan?: unknown }> = Pick<
  State,
  'change' | 'execution' | 'group' | 'role' | 'plan'
> & {
  purpose: 'apply' | 'delete';
  /** Bound on the loop: decisions per execution. */
  maxPasses: number;
};

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

export interface LoopSteps<Desired, Found extends { clusterMissing: boolean }, D extends Decision, Plan> {
  /** "node groups", "Fargate profiles". */
  plural: string;
  /** "node group", "Fargate profile". */
  noun: string;
  /** Where a person looks when the loop does not converge. */
  whereToLook: string;
  /** The spec field that names the cluster. */
  clusterField: string;
  find(): Promise<Found>;
  /** The resource manager's plan (pure): the next step towards the intent. */
  plan(intent: Intent<Desired>, found: Found): D;
  /** The group's resources found, whose stamps (stamp.ts) say which generation last wrote them. */
  ours(found: Found): EksResource[];
  /** Extra fields of every delete round (eks-fargate's not-found report, for instance). */
  deleteExtras?(found: Found, pass: number): Partial<Plan>;
  /** What an apply works towards, written with the execution's stamp; throws when an earlier step's output is missing. */
  desired(stamp: Stamp): Desired;
  /** The whole apply round from the plan's decision and the loop's bookkeeping (see appliedRound). */
  applied(decision: D, round: Round): Plan;
}

/** One round of the loop, for either purpose. */
export async function decideNext<Desired, Found extends { clusterMissing: boolean }, D extends Decision, Plan>(
  input: LoopInput,
  access: ClusterAccess,
  steps: LoopSteps<Desired, Found, D, Plan>,
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
    const decision = steps.plan({ purpose: 'delete', ref, ownerUid: input.change.group.uid }, found);
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
  const newer = newerInAws(input, steps.ours(found).map((r) => r.tags));
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
  const decision = steps.plan({ purpose: 'apply', desired: steps.desired(stampOf(input.change)), idempotencyKey: input.execution.arn }, found);
  return steps.applied(decision, { pass, history });
}

/** The role an earlier step chose or created: an apply cannot be planned without it. */
export function roleFromEarlierStep(roleArn: string | undefined, roleNoun: string, step: string): string {
  if (!roleArn) throw new TerminalError(`Decide Next Change needs the ${roleNoun}; "${step}" must run first`);
  return roleArn;
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
