// eks-cf's resource manager: the group's CloudFormation stack. find and plan are stack.ts's findStack and
// stack-plan.ts's pure plans; create and update send the rendered template; delete starts the stack's deletion;
// progress is one look of the wait loop. Each operation is its own function so a step's bundle holds only the
// CloudFormation commands it sends; stackManager composes them into the ResourceManager shape.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { TerminalError } from '../../core/errors/index.js';
import type { Intent, ResourceManager, Target } from '../shared/resource-manager.js';
import {
  applyProgress,
  carryOutApply,
  carryOutDelete,
  deleteProgress,
  describeStack,
  findStack,
  startDelete,
  type StackAction,
  type StackProgress,
} from './stack.js';
import { planStackApply, planStackDelete, type DesiredStack, type StackDecision, type StackFound } from './stack-plan.js';

export interface StackManager extends ResourceManager<DesiredStack, StackFound, StackDecision, StackProgress> {
  /** find, plan, then create or update (or nothing): the whole of "Create Or Update Stack". */
  apply(desired: DesiredStack, idempotencyKey: string): Promise<StackProgress & { action: StackAction }>;
  /** find (the stack alone), plan the delete, carry it out: the whole of "Delete Stack". */
  remove(): Promise<StackProgress>;
}

export interface StackOf {
  stackName: string;
  /** The spec's bounds, reported as observed once the stack settles. */
  size: { min: number; max: number };
  /** The deleting group's uid: a stack stamped by another owner is left alone. */
  ownerUid?: string;
}

/** The manager's plan: the next step towards the intent, from what findStack found. Pure. */
export function planStack(of: StackOf, intent: Intent<DesiredStack>, found: StackFound): StackDecision {
  return intent.purpose === 'apply' ? planStackApply(intent.desired, found) : planStackDelete(of.stackName, found, of.ownerUid);
}

/** The manager's progress: one look of the wait loop; past maxPolls without settling, the workflow fails. */
export async function stackProgress(cf: CloudFormationClient, of: StackOf, target: Target, polls: number, maxPolls: number): Promise<StackProgress> {
  const name = of.stackName;
  const progress = target.waitFor === 'gone' ? await deleteProgress(cf, name, polls) : await applyProgress(cf, name, of.size, polls);
  if (!progress.settled && polls >= maxPolls) {
    throw new TerminalError(
      `Stack ${name} is still ${progress.status} after ${polls} checks; see its events in the CloudFormation console, then replay the execution`,
    );
  }
  return progress;
}

/** find, plan, then create or update (or nothing): the whole of "Create Or Update Stack". */
export async function applyStackOf(
  cf: CloudFormationClient,
  of: StackOf,
  desired: DesiredStack,
  idempotencyKey: string,
): Promise<StackProgress & { action: StackAction }> {
  const found = await findStack(cf, of.stackName);
  const { action } = await carryOutApply(cf, planStack(of, { purpose: 'apply', desired, idempotencyKey }, found), found);
  return { ...(await applyProgress(cf, of.stackName, of.size, 0)), action };
}

/** find (the stack alone), plan the delete, carry it out: the whole of "Delete Stack". */
export function removeStack(cf: CloudFormationClient, of: StackOf): Promise<StackProgress> {
  return startDelete(cf, of.stackName, of.ownerUid);
}

/**
 * The resource manager of one group's stack, composed of the operations above. A step imports the one operation it
 * runs instead: this object reaches every CloudFormation command, so a bundle holding it would need them all.
 */
export function stackManager(cf: CloudFormationClient, of: StackOf): StackManager {
  const name = of.stackName;
  const send = async (decision: StackDecision) => {
    const { action } = await carryOutApply(cf, decision, {});
    return { ...(await applyProgress(cf, name, of.size, 0)), action };
  };
  const stackOnly = async (): Promise<StackFound> => {
    const stack = await describeStack(cf, name);
    return stack ? { stack } : {};
  };
  return {
    find: () => findStack(cf, name),
    plan: (intent, found) => planStack(of, intent, found),
    create: send,
    update: send,
    delete: async (decision) => carryOutDelete(cf, decision, await stackOnly()),
    progress: (target, polls, maxPolls) => stackProgress(cf, of, target, polls, maxPolls),
    apply: (desired, idempotencyKey) => applyStackOf(cf, of, desired, idempotencyKey),
    remove: () => removeStack(cf, of),
  };
}
