// The EKS calls that managed node groups and Fargate profiles have in common: list a cluster's resources of the kind,
// describe, create (adopting our own on a retry), tag, delete, and look at progress. Each provisioner describes its
// kind (EksResourceKind) and its resource manager builds on these. The kind holds only what every step needs (its
// words and the describe call); list, create and remove are handed to the one operation that sends them, so a step's
// bundle holds only the SDK commands it sends (esbuild drops the rest, and the IAM check in
// test/integration/deploy-package.test.ts derives each role's actions from the bundle).
import { TagResourceCommand, UntagResourceCommand, type EKSClient } from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, RetryableError, TerminalError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import type { Tags } from '../../core/spec/types.js';
import { awsCall, awsErrorMessage, awsErrorName, awsFailure, awsFind, isAlreadyExists, isNotFound } from './aws-errors.js';
import { capitalized, healthIssues, refuseOlderWrites, type EksResource, type TagChange, type WaitFor } from './eks-resource-plan.js';
import { ownedBy } from './ownership.js';
import { carriesStamp, deletableBy, readStamp, stampTags, type Stamp, type WriteGuard } from './stamp.js';
import { describeCluster } from './references.js';
import { waitSecondsAfter } from './wait-interval.js';

/** Where a node group or profile is; `K` names the field that holds its name (nodeGroupName, profileName). */
export type ResourceProgress<K extends string> = { [key in K]: string } & {
  waitFor: WaitFor;
  status: string;
  /** True once EKS has finished: the loop goes back to deciding. */
  settled: boolean;
  /** Checks of the wait loop so far; bounds it. */
  polls: number;
  /** How long the Wait state pauses before the next check (grows with polls). */
  waitSeconds: number;
};

export interface EksResourceKind<R extends EksResource, C, K extends string> {
  /** "node group", "Fargate profile": in messages. */
  noun: string;
  /** "node groups", "Fargate profiles". */
  plural: string;
  /** "node group", "profile": in "the failed … is deleted and created anew". */
  shortNoun: string;
  /** "Node Group", "Fargate Profile": the step names "Create …". */
  title: string;
  /** "node role", "pod execution role". */
  roleNoun: string;
  /** The progress field that names the resource. */
  nameKey: K;
  describe(eks: EKSClient, clusterName: string, name: string): Promise<R | undefined>;
  /** The resource's own name and ARN, as EKS describes it. */
  nameOf(resource: R): string | undefined;
  arnOf(resource: R): string | undefined;
  nameOfRequest(input: C): string | undefined;
  roleOfRequest(input: C): string | undefined;
  /** The resource is done with what a wait for 'active' waits for. */
  settledActive(status: string): boolean;
  /** The error for a name held by a resource instance-manager does not own for this group. */
  conflict(name: string, clusterName: string, cause: unknown): NameConflictError;
}

/** One page of a cluster's names of the kind (ListNodegroups, ListFargateProfiles). */
export type ListPage = (eks: EKSClient, clusterName: string, nextToken?: string) => Promise<{ names?: string[]; nextToken?: string }>;
/** The create request of the kind (CreateNodegroup, CreateFargateProfile). */
export type SendCreate<R, C> = (eks: EKSClient, input: C) => Promise<R | undefined>;
/** The delete request of the kind (DeleteNodegroup, DeleteFargateProfile). */
export type SendRemove = (eks: EKSClient, clusterName: string, name: string) => Promise<unknown>;

export function describeResource<R extends EksResource>(kind: EksResourceKind<R, unknown, string>, eks: EKSClient, clusterName: string, name: string) {
  return awsFind(`Reading ${kind.noun} ${name}`, () => kind.describe(eks, clusterName, name));
}

/** Every name of the kind in the cluster (paginated); clusterMissing when the cluster itself does not exist. */
export async function listNames<R extends EksResource>(
  kind: EksResourceKind<R, unknown, string>,
  list: ListPage,
  eks: EKSClient,
  clusterName: string,
): Promise<{ names: string[]; clusterMissing: boolean }> {
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await list(eks, clusterName, nextToken);
      names.push(...(page.names ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    // A missing cluster is ResourceNotFoundException in AWS; ask DescribeCluster when the answer is anything else.
    if (isNotFound(error) || !(await describeCluster(eks, clusterName))) return { names: [], clusterMissing: true };
    throw awsFailure(error, `Listing the ${kind.plural} of cluster ${clusterName}`);
  }
  return { names, clusterMissing: false };
}

export function progressOf<R extends EksResource, K extends string>(
  kind: EksResourceKind<R, unknown, K>,
  resource: R | undefined,
  name: string,
  waitFor: WaitFor,
  polls: number,
): ResourceProgress<K> {
  const base = (status: string, settled: boolean) =>
    ({ [kind.nameKey]: name, waitFor, status, settled, polls, waitSeconds: waitSecondsAfter(polls) }) as ResourceProgress<K>;
  if (!resource) return base('GONE', true);
  const status = resource.status ?? 'UNKNOWN';
  const issues = healthIssues(resource);
  if (status === 'CREATE_FAILED' && waitFor === 'active') {
    throw new ProvisioningFailedError(
      `EKS could not create ${kind.noun} ${name}${issues ? `: ${issues}` : ''}. Fix the cause and apply again: the failed ${kind.shortNoun} is deleted and created anew`,
    );
  }
  if (status === 'DELETE_FAILED') throw new ProvisioningFailedError(`EKS could not delete ${kind.noun} ${name}${issues ? `: ${issues}` : ''}`);
  return base(status, waitFor === 'active' ? kind.settledActive(status) : false);
}

/** One pass of the wait loop; past maxPolls without settling, the workflow fails rather than polling forever. */
export async function checkResource<R extends EksResource, K extends string>(
  kind: EksResourceKind<R, unknown, K>,
  eks: EKSClient,
  target: { clusterName: string; name: string; waitFor: WaitFor },
  polls: number,
  maxPolls: number,
): Promise<ResourceProgress<K>> {
  const { clusterName, name, waitFor } = target;
  const progress = progressOf(kind, await describeResource(kind, eks, clusterName, name), name, waitFor, polls);
  if (!progress.settled && polls >= maxPolls) {
    throw new TerminalError(
      `${capitalized(kind.noun)} ${name} is still ${progress.status} after ${polls} checks; look at it in the EKS console, then replay the execution`,
    );
  }
  return progress;
}

export interface CreateOptions {
  /** The role was created by this execution: IAM may not have propagated it to EKS yet. */
  roleJustCreated: boolean;
  /** Who creates: a resource of that name a newer generation of the same owner created is not adopted. */
  stamp?: Stamp;
}

export type { WriteGuard };

/** Throws NoLongerWantedError when the resource carries a newer generation of the same owner than `stamp`. */
function refuseOlderWrite(kind: Pick<EksResourceKind<EksResource, unknown, string>, 'noun'>, name: string, resource: EksResource | undefined, stamp: Stamp | undefined): void {
  if (resource) refuseOlderWrites(kind.noun, [resource], () => name, stamp);
}

/** Moves the resource's stamp to `stamp`, once a write of that generation succeeded. */
async function restamp(kind: Pick<EksResourceKind<EksResource, unknown, string>, 'noun'>, eks: EKSClient, name: string, resourceArn: string | undefined, stamp: Stamp): Promise<void> {
  if (!resourceArn) throw new TerminalError(`${capitalized(kind.noun)} ${name} has no ARN to stamp`);
  await awsCall(`Stamping ${kind.noun} ${name} with generation ${stamp.generation}`, () =>
    eks.send(new TagResourceCommand({ resourceArn, tags: stampTags(stamp) })),
  );
}

/**
 * Sends the create request; a resource of that name that is ours (an earlier attempt's) is adopted. With a stamp,
 * the group's resources (`ours`) are read right before: when a newer generation of the same owner already wrote one,
 * this older execution creates nothing (NoLongerWantedError).
 */
export async function createResource<R extends EksResource, C, K extends string>(
  kind: EksResourceKind<R, C, K>,
  send: SendCreate<R, C>,
  eks: EKSClient,
  ref: GroupRef,
  input: C | undefined,
  options: CreateOptions,
  ours: () => Promise<R[]>,
): Promise<ResourceProgress<K>> {
  if (options.stamp) refuseOlderWrites(kind.noun, await ours(), (r) => kind.nameOf(r) ?? '', options.stamp);
  const name = input ? kind.nameOfRequest(input) : undefined;
  if (!input || !name) throw new TerminalError(`Create ${kind.title} was called without a create request`);
  let resource: R | undefined;
  try {
    resource = await send(eks, input);
  } catch (error) {
    if (isAlreadyExists(error)) {
      resource = await describeResource(kind, eks, ref.clusterName, name);
      if (resource && !ownedBy(resource.tags, ref)) throw kind.conflict(name, ref.clusterName, error);
      refuseOlderWrite(kind, name, resource, options.stamp);
    } else if (options.roleJustCreated && awsErrorName(error) === 'InvalidParameterException' && /role/i.test(awsErrorMessage(error))) {
      throw new RetryableError(
        `EKS does not accept ${kind.roleNoun} ${kind.roleOfRequest(input)} yet (IAM propagates new roles within seconds): ${awsErrorMessage(error)}`,
        { cause: error },
      );
    } else {
      throw awsFailure(error, `Creating ${kind.noun} ${name}`);
    }
  }
  return progressOf(kind, resource, name, 'active', 0);
}

/** Tags and untags in place: the one change EKS makes to both kinds. */
export async function retagResource(
  kind: Pick<EksResourceKind<EksResource, unknown, string>, 'noun'>,
  eks: EKSClient,
  name: string,
  change: TagChange,
): Promise<void> {
  const { resourceArn, tag, untag } = change;
  if (Object.keys(tag).length) await awsCall(`Tagging ${kind.noun} ${name}`, () => eks.send(new TagResourceCommand({ resourceArn, tags: tag as Tags })));
  if (untag.length) await awsCall(`Untagging ${kind.noun} ${name}`, () => eks.send(new UntagResourceCommand({ resourceArn, tagKeys: untag })));
}

/**
 * One change in place (`write`: an update call, or retagResource). With a stamp, the resource is read right before
 * (a newer generation's resource is not written: NoLongerWantedError), and once the write succeeded its stamp moves
 * to this generation, unless the tags written (`tagged`) already carried it.
 */
export async function updateResource<R extends EksResource, K extends string>(
  kind: EksResourceKind<R, unknown, K>,
  eks: EKSClient,
  target: { clusterName: string; name: string },
  write: () => Promise<unknown>,
  stamp?: Stamp,
  tagged?: Tags,
): Promise<ResourceProgress<K>> {
  const { clusterName, name } = target;
  const before = stamp ? await describeResource(kind, eks, clusterName, name) : undefined;
  refuseOlderWrite(kind, name, before, stamp);
  await write();
  if (stamp && before && !carriesStamp(tagged, stamp)) await restamp(kind, eks, name, kind.arnOf(before), stamp);
  return progressOf(kind, await describeResource(kind, eks, clusterName, name), name, 'active', 0);
}

/**
 * Sends the delete request. With a guard, the resource is read right before: an apply does not delete what a newer
 * generation wrote, and a delete leaves another owner's resource alone (settled at once: the plan skips it).
 */
export async function deleteResource<R extends EksResource, K extends string>(
  kind: EksResourceKind<R, unknown, K>,
  remove: SendRemove,
  eks: EKSClient,
  clusterName: string,
  name: string,
  guard?: WriteGuard,
): Promise<ResourceProgress<K>> {
  if (guard) {
    const resource = await describeResource(kind, eks, clusterName, name);
    if (!resource) return progressOf(kind, undefined, name, 'gone', 0);
    if (guard.operation === 'apply') refuseOlderWrite(kind, name, resource, guard.stamp);
    else if (!deletableBy(readStamp(resource.tags ?? {}), guard.stamp.uid)) {
      return { ...progressOf(kind, undefined, name, 'gone', 0), status: 'OWNED_BY_ANOTHER_GROUP' };
    }
  }
  const deleted = await awsFind(`Deleting ${kind.noun} ${name}`, () => remove(eks, clusterName, name));
  if (!deleted) return progressOf(kind, undefined, name, 'gone', 0);
  return progressOf(kind, await describeResource(kind, eks, clusterName, name), name, 'gone', 0);
}
