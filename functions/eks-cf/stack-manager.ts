// eks-cf's resource manager: the group's CloudFormation stack. find and plan are stack.ts's findStack and
// stack-plan.ts's pure plans; create and update send the rendered template; delete starts the stack's deletion;
// progress is one look of the wait loop. Each operation is its own function so a step's bundle holds only the
// CloudFormation commands it sends; stackManager composes them into the ResourceManager shape.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Intent, ResourceManager, Target } from '../shared/resource-manager.js';
import {
  applyProgress,
  carryOutApply,
  carryOutDelete,
  describeStack,
  findStack,
  startDelete,
  type StackAction,
  type StackProgress,
} from './stack.js';
import { planStackApply, planStackDelete, type DesiredStack, type StackDecision, type StackFound } from './stack-plan.js';
import { stackProgress, type StackOf } from './stack-progress.js';

export { stackProgress, type StackOf };

export interface StackManager extends ResourceManager<DesiredStack, StackFound, StackDecision, StackProgress> {
  /** find, plan, then create or update (or nothing): the whole of "Create Or Update Stack". */
  apply(desired: DesiredStack, idempotencyKey: string): Promise<StackProgress & { action: StackAction }>;
  /** find (the stack alone), plan the delete, carry it out: the whole of "Delete Stack". */
  remove(): Promise<StackProgress>;
}

/** The manager's plan: the next step towards the intent, from what findStack found. Pure. */
export function planStack(of: StackOf, intent: Intent<DesiredStack>, found: StackFound): StackDecision {
  return intent.purpose === 'apply' ? planStackApply(intent.desired, found) : planStackDelete(of.stackName, found, of.ownerUid);
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
