// eks-cf's resource manager: the group's CloudFormation stack. find and plan are stack.ts's findStack and
// stack-plan.ts's pure plans; create and update send the rendered template; delete starts the stack's deletion;
// progress is one look of the wait loop.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { TerminalError } from '../../core/errors/index.js';
import type { ResourceManager, Target } from '../shared/resource-manager.js';
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

/** The resource manager of one group's stack. */
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
  const manager: StackManager = {
    find: () => findStack(cf, name),
    plan: (intent, found) => (intent.purpose === 'apply' ? planStackApply(intent.desired, found) : planStackDelete(name, found, of.ownerUid)),
    create: send,
    update: send,
    delete: async (decision) => carryOutDelete(cf, decision, await stackOnly()),
    progress: async (target: Target, polls, maxPolls) => {
      const progress = target.waitFor === 'gone' ? await deleteProgress(cf, name, polls) : await applyProgress(cf, name, of.size, polls);
      if (!progress.settled && polls >= maxPolls) {
        throw new TerminalError(
          `Stack ${name} is still ${progress.status} after ${polls} checks; see its events in the CloudFormation console, then replay the execution`,
        );
      }
      return progress;
    },
    apply: async (desired, idempotencyKey) => {
      const found = await manager.find();
      const decision = manager.plan({ purpose: 'apply', desired, idempotencyKey }, found);
      const { action } = await carryOutApply(cf, decision, found);
      return { ...(await applyProgress(cf, name, of.size, 0)), action };
    },
    remove: () => startDelete(cf, name, of.ownerUid),
  };
  return manager;
}
