// CloudFormation operations on a group's stack: create, update only when something changed, unblock the states
// that forbid an update, delete, and read progress.
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { ProvisioningFailedError, ResourceBusyError, TerminalError, classifyError } from '../../core/errors/index.js';
import type { ObservedResources } from '../../core/status/index.js';
import type { Stamp } from '../shared/stamp.js';
import { needsTemplate, planStackApply, planStackDelete, type DesiredStack, type StackDecision, type StackFound } from './stack-plan.js';
import { OUTPUTS, type RenderedStack } from './template.js';

/**
 * The CloudFormation service role (infra/aws/eks-cf-service-role.yaml) that creates the nodes' IAM, launch template
 * and Auto Scaling group, so the Lambda itself needs only CloudFormation rights and iam:PassRole of that one role.
 * Unset locally, where the caller's own credentials are used.
 */
function serviceRole(): { RoleARN?: string } {
  const arn = process.env.CFN_SERVICE_ROLE_ARN;
  return arn ? { RoleARN: arn } : {};
}

export type StackAction = 'created' | 'updated' | 'unchanged';

export interface StackProgress {
  stackName: string;
  status: string;
  /** True once nothing is in progress any more: the loop in the state machine stops here. */
  settled: boolean;
  /** The stack no longer exists (deleted, or never created). */
  gone: boolean;
  /** How many times the workflow has looked at the stack; bounds the wait loop. */
  polls: number;
  observed?: ObservedResources;
  roleArn?: string;
  /** Set while a delete that found no stack waits out the delete fence (functions/shared/delete-fence.ts). */
  awaitEarlierAppliesSeconds?: number;
}

export async function describeStack(cf: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    const { Stacks } = await cf.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/i.test(String((error as Error).message))) return undefined;
    throw classifyError(error, `Reading stack ${name}`);
  }
}

export function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}


/** Why the stack failed, from its events: the first failure CloudFormation recorded (not the cancellations it caused). */
export async function failureReason(cf: CloudFormationClient, name: string): Promise<string> {
  try {
    const { StackEvents } = await cf.send(new DescribeStackEventsCommand({ StackName: name }));
    const failed = (StackEvents ?? [])
      .filter((e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceStatusReason && !/cancel/i.test(e.ResourceStatusReason))
      .reverse();
    const first = failed[0];
    return first ? `${first.LogicalResourceId} (${first.ResourceType}): ${first.ResourceStatusReason}` : 'no failure reason recorded';
  } catch {
    return 'no failure reason recorded';
  }
}

export interface ApplyOptions {
  /** Who applies: stamped on the stack, and refused when the stack carries a newer generation of the same owner. */
  stamp?: Stamp;
  /** How long a stack may stay in an *_IN_PROGRESS state before it counts as stuck (default STACK_STUCK_AFTER_SECONDS). */
  stuckAfterMs?: number;
  now?: () => number;
}

/** One hour by default: longer than any create or rolling update of one Auto Scaling group should take. */
export function stuckAfterMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.STACK_STUCK_AFTER_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000;
}

/** The stack and, when the plan may compare it, its deployed template. */
export async function findStack(cf: CloudFormationClient, name: string): Promise<StackFound> {
  const stack = await describeStack(cf, name);
  if (!needsTemplate(stack)) return stack ? { stack } : {};
  const template = await call(name, 'Reading template of stack', () => cf.send(new GetTemplateCommand({ StackName: name, TemplateStage: 'Original' })));
  return { stack, ...(template.TemplateBody !== undefined ? { templateBody: template.TemplateBody } : {}) };
}

async function call<T>(name: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw classifyError(error, `${what} ${name}`);
  }
}

/**
 * A stack that stays in progress far longer than any real operation (an SDK-retried CreateStack that CloudFormation
 * never finished) must not hold the group for ever. A create that made nothing yet is deleted so that the next
 * attempt creates it again; anything else ends with an error that says what to do.
 */
async function stuck(cf: CloudFormationClient, decision: StackDecision): Promise<never> {
  const { stackName: name, status, minutes } = decision;
  if (status === 'CREATE_IN_PROGRESS') {
    const { StackResourceSummaries } = await call(name, 'Listing resources of stack', () => cf.send(new ListStackResourcesCommand({ StackName: name })));
    const made = (StackResourceSummaries ?? []).filter((r) => r.PhysicalResourceId);
    if (!made.length) {
      await call(name, 'Deleting stuck stack', () => cf.send(new DeleteStackCommand({ StackName: name, ...serviceRole() })));
      throw new ResourceBusyError(`Stack ${name} was CREATE_IN_PROGRESS for ${minutes} minutes with nothing created; deleted it to create it again`);
    }
  }
  throw new ProvisioningFailedError(
    `Stack ${name} has been ${status} for ${minutes} minutes (the limit is ${decision.limitMinutes}); CloudFormation looks stuck. ` +
      `Check its events in the CloudFormation console, cancel the update or delete the stack there, then run imctl replay`,
  );
}

/**
 * Carries out an apply decision. Returns what it did; when the stack is busy (an operation in progress, or a failed
 * stack being cleared away) it throws ResourceBusyError so the state machine retries later.
 */
export async function carryOutApply(
  cf: CloudFormationClient,
  decision: StackDecision,
  found: StackFound,
): Promise<{ action: StackAction; stack: Stack | undefined }> {
  const name = decision.stackName;
  const body = decision.request?.templateBody;
  const tags = decision.request?.tags;
  const capabilities = ['CAPABILITY_NAMED_IAM' as const];
  switch (decision.action) {
    case 'create':
      try {
        await cf.send(new CreateStackCommand({ StackName: name, TemplateBody: body, Capabilities: capabilities, Tags: tags, OnFailure: 'ROLLBACK', ...serviceRole() }));
      } catch (error) {
        // The SDK re-sends a CreateStack whose answer timed out, and a duplicate execution may race this one: the
        // stack then exists already. Its name is derived from this group alone, so it is ours: look again.
        if ((error as { name?: string }).name === 'AlreadyExistsException') {
          throw new ResourceBusyError(`Stack ${name} already exists (an earlier attempt created it); checking it again`, { cause: error });
        }
        throw classifyError(error, `Creating stack ${name}`);
      }
      return { action: 'created', stack: await describeStack(cf, name) };
    case 'clear-failed-create':
      // A first create that failed leaves a stack that can only be deleted; clear it and create again.
      await call(name, 'Deleting failed stack', () => cf.send(new DeleteStackCommand({ StackName: name, ...serviceRole() })));
      throw new ResourceBusyError(decision.summary);
    case 'continue-rollback':
      await call(name, 'Continuing the rollback of stack', () => cf.send(new ContinueUpdateRollbackCommand({ StackName: name, ...serviceRole() })));
      throw new ResourceBusyError(decision.summary);
    case 'delete-failed':
      throw new ProvisioningFailedError(`Stack ${name} failed to delete earlier (${await failureReason(cf, name)}); delete it in CloudFormation, then apply again`);
    case 'stuck':
      return stuck(cf, decision);
    case 'wait':
      throw new ResourceBusyError(decision.summary);
    case 'none':
      return { action: 'unchanged', stack: found.stack };
    case 'update':
      try {
        await cf.send(new UpdateStackCommand({ StackName: name, TemplateBody: body, Capabilities: capabilities, Tags: tags, ...serviceRole() }));
      } catch (error) {
        // Another execution started an operation between our look and our update.
        if (/_IN_PROGRESS state and can ?not be updated/i.test(String((error as Error).message))) {
          throw new ResourceBusyError(`Stack ${name} became busy before the update; trying again`, { cause: error });
        }
        throw classifyError(error, `Updating stack ${name}`);
      }
      return { action: 'updated', stack: await describeStack(cf, name) };
    default:
      throw new TerminalError(`An apply cannot carry out the stack decision ${decision.action}`);
  }
}

/** Brings the stack to the rendered template: find, plan, carry out. */
export async function applyStack(
  cf: CloudFormationClient,
  rendered: RenderedStack,
  options: ApplyOptions = {},
): Promise<{ action: StackAction; stack: Stack | undefined }> {
  const desired: DesiredStack = {
    rendered,
    ...(options.stamp ? { stamp: options.stamp } : {}),
    stuckAfterMs: options.stuckAfterMs ?? stuckAfterMs(),
    now: options.now?.() ?? Date.now(),
  };
  const found = await findStack(cf, rendered.stackName);
  return carryOutApply(cf, planStackApply(desired, found), found);
}

const APPLY_DONE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const APPLY_FAILED = new Set(['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED', 'DELETE_FAILED']);

export function observedOf(stack: Stack | undefined, min: number, max: number, stackName: string): ObservedResources {
  const out = outputsOf(stack);
  return {
    currentMin: min,
    currentMax: max,
    stackName,
    ...(out[OUTPUTS.scalingGroup] ? { activeScalingGroupName: out[OUTPUTS.scalingGroup] } : {}),
    ...(out[OUTPUTS.launchTemplate] ? { activeLaunchTemplateName: out[OUTPUTS.launchTemplate] } : {}),
    ...(out[OUTPUTS.roleArn] ? { nodesInstanceRoleArn: out[OUTPUTS.roleArn] } : {}),
  };
}

/** One look at an apply in progress. Throws ProvisioningFailedError with CloudFormation's reason when it failed. */
export async function applyProgress(
  cf: CloudFormationClient,
  name: string,
  size: { min: number; max: number },
  polls: number,
): Promise<StackProgress> {
  const stack = await describeStack(cf, name);
  if (!stack) return { stackName: name, status: 'DELETE_COMPLETE', settled: true, gone: true, polls };
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (APPLY_FAILED.has(status)) {
    const reason = await failureReason(cf, name);
    const what = status.startsWith('UPDATE') ? 'update' : 'create';
    throw new ProvisioningFailedError(`CloudFormation could not ${what} stack ${name} (${status}): ${reason}`);
  }
  if (status.startsWith('DELETE')) return { stackName: name, status, settled: true, gone: true, polls };
  const settled = APPLY_DONE.has(status);
  return {
    stackName: name,
    status,
    settled,
    gone: false,
    polls,
    ...(settled ? { observed: observedOf(stack, size.min, size.max, name), roleArn: outputsOf(stack)[OUTPUTS.roleArn] } : {}),
  };
}

/**
 * Starts (or continues) deleting the stack. A create in progress is waited for (ResourceBusyError), then deleted;
 * an update in progress is cancelled first. Returns the node role ARN it had, for the aws-auth cleanup.
 */
export async function startDelete(cf: CloudFormationClient, name: string, ownerUid?: string): Promise<StackProgress> {
  const stack = await describeStack(cf, name);
  const found = stack ? { stack } : {};
  return carryOutDelete(cf, planStackDelete(name, found, ownerUid), found);
}

export async function carryOutDelete(cf: CloudFormationClient, decision: StackDecision, found: StackFound): Promise<StackProgress> {
  const name = decision.stackName;
  const roleArn = outputsOf(found.stack)[OUTPUTS.roleArn];
  const base = { stackName: name, gone: false, polls: 0, ...(roleArn ? { roleArn } : {}) };
  switch (decision.action) {
    case 'gone':
    case 'owned-by-another-group':
      return { stackName: name, status: decision.status, settled: true, gone: true, polls: 0 };
    case 'wait':
      return { ...base, status: decision.status, settled: false };
    case 'cancel-update':
      await cf.send(new CancelUpdateStackCommand({ StackName: name })).catch(() => undefined);
      throw new ResourceBusyError(decision.summary);
    case 'busy':
      throw new ResourceBusyError(decision.summary);
    case 'delete': {
      await call(name, 'Deleting stack', () => cf.send(new DeleteStackCommand({ StackName: name, ...serviceRole() })));
      const after = await describeStack(cf, name);
      return after
        ? { ...base, status: after.StackStatus ?? 'DELETE_IN_PROGRESS', settled: false }
        : { ...base, status: 'DELETE_COMPLETE', settled: true, gone: true };
    }
    default:
      throw new TerminalError(`A delete cannot carry out the stack decision ${decision.action}`);
  }
}

export async function deleteProgress(cf: CloudFormationClient, name: string, polls: number): Promise<StackProgress> {
  const stack = await describeStack(cf, name);
  if (!stack) return { stackName: name, status: 'DELETE_COMPLETE', settled: true, gone: true, polls };
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status === 'DELETE_FAILED') {
    throw new ProvisioningFailedError(`CloudFormation could not delete stack ${name}: ${await failureReason(cf, name)}`);
  }
  if (status !== 'DELETE_IN_PROGRESS') {
    throw new TerminalError(`Stack ${name} is ${status} while it should be deleting; something else changed it`);
  }
  return { stackName: name, status, settled: false, gone: false, polls };
}
