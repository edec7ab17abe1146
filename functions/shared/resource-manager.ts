// The one shape of every provisioner's AWS resource, after the ACK runtime's resource manager: the steps of a
// workflow find what AWS holds, plan the next step (pure, so every decision is unit-tested on plain objects),
// and then create, update or delete, and follow the progress. eks-cf manages its CloudFormation stack
// (functions/eks-cf/stack-manager.ts), eks-managed its node groups (functions/eks-managed/nodegroups.ts) and
// eks-fargate its Fargate profiles (functions/eks-fargate/profiles.ts). A manager is bound to one group.
// Each operation is also exported on its own, and a step imports only the one it runs: the composed object reaches
// every SDK command of its kind, and a bundle holding it would ask its role for actions it never sends.
import type { GroupRef } from '../../core/names/index.js';

export type { WaitFor } from './eks-resource-plan.js';
import type { WaitFor } from './eks-resource-plan.js';

/** What every plan answers: an action, and the same in words for the execution history and the Ready message. */
export interface Decision {
  action: string;
  /** "Creating node group …", as the execution history shows it. */
  summary: string;
  /** The same once done ("Created node group …"); only for changes. */
  done?: string;
  /** What the wait after the action waits for. */
  waitFor?: WaitFor;
}

/** What the plan works towards: the group's spec (apply), or nothing left (delete). */
export type Intent<Desired> =
  | { purpose: 'apply'; desired: Desired; /** Keeps create requests idempotent across retries. */ idempotencyKey: string }
  | { purpose: 'delete'; ref: GroupRef; /** The deleting group's uid: resources another owner stamped are left alone. */ ownerUid?: string };

/** Which resource a progress check looks at, and for what. */
export interface Target {
  name: string;
  waitFor: WaitFor;
}

export interface ResourceManager<Desired, Found, D extends Decision, Progress, CreateOptions = void> {
  /** What AWS holds for the group now. */
  find(): Promise<Found>;
  /** The next step towards the intent, from what was found. Pure: no AWS calls. */
  plan(intent: Intent<Desired>, found: Found): D;
  create(decision: D, options: CreateOptions): Promise<Progress>;
  update(decision: D): Promise<Progress>;
  delete(decision: D): Promise<Progress>;
  /** One look at the resource the last action concerned; fails past maxPolls rather than waiting for ever. */
  progress(target: Target, polls: number, maxPolls: number): Promise<Progress>;
}
