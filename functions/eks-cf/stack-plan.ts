// What the group's CloudFormation stack needs next, decided from the rendered template and what CloudFormation
// holds. Pure: no AWS calls. functions/eks-cf/stack.ts carries the decisions out.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { deletableBy, isStampTag, readStamp, refuseBackwards, stampTags, type Stamp } from '../shared/stamp.js';
import { stackDifferences, toTagList, type RenderedStack } from './template.js';

/** What CloudFormation holds: the stack, and its deployed template when the stack is settled enough to update. */
export interface StackFound {
  stack?: Stack;
  templateBody?: string;
}

export interface DesiredStack {
  rendered: RenderedStack;
  /** Who applies: stamped on the stack, and refused when the stack carries a newer generation of the same owner. */
  stamp?: Stamp;
  /** How long a stack may stay in an *_IN_PROGRESS state before it counts as stuck. */
  stuckAfterMs: number;
  now: number;
}

export type StackApplyAction = 'create' | 'update' | 'none' | 'clear-failed-create' | 'continue-rollback' | 'delete-failed' | 'wait' | 'stuck';
export type StackDeleteAction = 'gone' | 'owned-by-another-group' | 'wait' | 'cancel-update' | 'busy' | 'delete';

export interface StackDecision<A extends string = StackApplyAction | StackDeleteAction> {
  action: A;
  stackName: string;
  status: string;
  summary: string;
  /** update: the stack is restamped for another owner (a group recreated under the same name) too. */
  adopt?: boolean;
  /** stuck: minutes in progress so far, and the limit. */
  minutes?: number;
  limitMinutes?: number;
  /** create, update: what CloudFormation is sent. */
  request?: { templateBody: string; tags: { Key: string; Value: string }[] };
}

export const inProgress = (status: string) => status.endsWith('_IN_PROGRESS');
const FAILED_CREATE = new Set(['ROLLBACK_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_FAILED']);

/** Whether find reads the deployed template: only when the plan may compare it (the stack can be updated). */
export function needsTemplate(stack: Stack | undefined): boolean {
  const status = stack?.StackStatus ?? 'UNKNOWN';
  return !!stack && !FAILED_CREATE.has(status) && status !== 'UPDATE_ROLLBACK_FAILED' && status !== 'DELETE_FAILED' && !inProgress(status);
}

export function planStackApply(desired: DesiredStack, found: StackFound): StackDecision<StackApplyAction> {
  const { rendered, stamp } = desired;
  const name = rendered.stackName;
  const { stack } = found;
  const decision = (action: StackApplyAction, status: string, summary: string, extra: Pick<StackDecision, 'adopt' | 'minutes' | 'limitMinutes' | 'request'> = {}): StackDecision<StackApplyAction> => ({
    action,
    stackName: name,
    status,
    summary,
    ...extra,
  });
  const request = { templateBody: JSON.stringify(rendered.template), tags: toTagList({ ...rendered.tags, ...(stamp ? stampTags(stamp) : {}) }) };
  if (!stack) return decision('create', 'NONE', `Creating stack ${name}`, { request });
  const stampFound = readStamp(stack.Tags);
  if (stamp) refuseBackwards(`Stack ${name}`, stampFound, stamp);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (FAILED_CREATE.has(status)) return decision('clear-failed-create', status, `Stack ${name} is ${status} after a failed create; deleting it before creating it again`);
  if (status === 'UPDATE_ROLLBACK_FAILED') return decision('continue-rollback', status, `Stack ${name} is UPDATE_ROLLBACK_FAILED; continuing its rollback before updating it`);
  if (status === 'DELETE_FAILED') return decision('delete-failed', status, `Stack ${name} failed to delete earlier`);
  if (inProgress(status)) {
    const since = (stack.LastUpdatedTime ?? stack.CreationTime)?.getTime();
    const stuck = since !== undefined && desired.now - since >= desired.stuckAfterMs && status !== 'DELETE_IN_PROGRESS';
    if (stuck) return decision('stuck', status, `Stack ${name} looks stuck in ${status}`, { minutes: Math.round((desired.now - since) / 60_000), limitMinutes: Math.round(desired.stuckAfterMs / 60_000) });
    return decision('wait', status, `Stack ${name} is ${status}; waiting for it to finish before applying`);
  }
  const differences = stackDifferences({ templateBody: found.templateBody, tags: stack.Tags?.filter((t) => !isStampTag(t.Key)) }, rendered);
  // A stack stamped by another owner (a group recreated under the same name) is adopted: restamped even when
  // nothing else changed, so that the old owner's late delete leaves it alone.
  const adopt = stamp !== undefined && stampFound.uid !== stamp.uid;
  if (!differences.length && !adopt) return decision('none', status, `Stack ${name} matches the spec`);
  return decision('update', status, `Updating stack ${name}`, { adopt, request });
}

/** The next step of a delete: a create in progress is waited for, an update in progress cancelled, then delete. */
export function planStackDelete(name: string, found: StackFound, ownerUid?: string): StackDecision<StackDeleteAction> {
  const { stack } = found;
  const decision = (action: StackDeleteAction, status: string, summary: string) => ({ action, stackName: name, status, summary });
  if (!stack) return decision('gone', 'DELETE_COMPLETE', `No stack ${name}`);
  // Another InstanceGroup of the same name owns it now: not ours to delete (nor its node role to unmap).
  if (ownerUid && !deletableBy(readStamp(stack.Tags), ownerUid)) return decision('owned-by-another-group', 'OWNED_BY_ANOTHER_GROUP', `Stack ${name} belongs to another group`);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status === 'DELETE_IN_PROGRESS') return decision('wait', status, `Stack ${name} is being deleted`);
  if (status === 'UPDATE_IN_PROGRESS') {
    return decision('cancel-update', status, `Stack ${name} was being updated; cancelled the update and waiting for the rollback before deleting`);
  }
  if (inProgress(status)) return decision('busy', status, `Stack ${name} is ${status}; waiting for it to finish before deleting`);
  return decision('delete', status, `Deleting stack ${name}`);
}
