// EKS calls on a group's managed node groups: find them, create, update, delete, and look at progress.
import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeNodegroupCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
  ListNodegroupsCommand,
  type EKSClient,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, RetryableError, TerminalError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import { awsCall, awsErrorMessage, awsErrorName, awsFailure, awsFind, isAlreadyExists, isNotFound } from './aws-errors.js';
import { ownedBy } from './iam-role.js';
import { describeCluster } from './references.js';
import { healthIssues, revisionsByName, type NodeGroupDecision, type OwnedNodeGroup } from './plan.js';
import { waitSecondsAfter } from '../shared/wait-interval.js';

export interface NodeGroupsFound {
  owned: OwnedNodeGroup[];
  /** Names this group's node groups would have, held by node groups that are not instance-manager's. */
  foreign: string[];
  /** The EKS cluster itself does not exist. */
  clusterMissing: boolean;
}

export async function describeNodeGroup(eks: EKSClient, clusterName: string, name: string): Promise<Nodegroup | undefined> {
  const out = await awsFind(`Reading node group ${name}`, () =>
    eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: name })),
  );
  return out?.nodegroup;
}

/**
 * The group's node groups: one paginated ListNodegroups (names only), then a Describe for the names this group's
 * node groups can have (nodeGroupName(ref, revision)). Other teams' node groups are never described.
 */
export async function findNodeGroups(eks: EKSClient, ref: GroupRef): Promise<NodeGroupsFound> {
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new ListNodegroupsCommand({ clusterName: ref.clusterName, ...(nextToken ? { nextToken } : {}) }));
      names.push(...(page.nodegroups ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    // A missing cluster is ResourceNotFoundException in AWS; ask DescribeCluster when the answer is anything else.
    if (isNotFound(error) || !(await describeCluster(eks, ref.clusterName))) return { owned: [], foreign: [], clusterMissing: true };
    throw awsFailure(error, `Listing the node groups of cluster ${ref.clusterName}`);
  }
  const revisions = revisionsByName(ref);
  const owned: OwnedNodeGroup[] = [];
  const foreign: string[] = [];
  for (const name of names) {
    const revision = revisions.get(name);
    if (revision === undefined) continue;
    const nodegroup = await describeNodeGroup(eks, ref.clusterName, name);
    if (!nodegroup) continue; // deleted between the list and the describe
    if (ownedBy(nodegroup.tags, ref)) owned.push({ revision, nodegroup });
    else foreign.push(name);
  }
  return { owned, foreign, clusterMissing: false };
}

export interface NodeGroupProgress {
  nodeGroupName: string;
  waitFor: 'active' | 'gone';
  status: string;
  /** True once EKS has finished: the loop goes back to deciding. */
  settled: boolean;
  /** Checks of the wait loop so far; bounds it. */
  polls: number;
  /** How long the Wait state pauses before the next check (grows with polls). */
  waitSeconds: number;
}

const IN_PROGRESS = new Set(['CREATING', 'UPDATING', 'DELETING']);

export function progressOf(ng: Nodegroup | undefined, name: string, waitFor: 'active' | 'gone', polls: number): NodeGroupProgress {
  if (!ng) return { nodeGroupName: name, waitFor, status: 'GONE', settled: true, polls, waitSeconds: waitSecondsAfter(polls) };
  const status = ng.status ?? 'UNKNOWN';
  if (status === 'CREATE_FAILED' && waitFor === 'active') {
    const issues = healthIssues(ng);
    throw new ProvisioningFailedError(
      `EKS could not create node group ${name}${issues ? `: ${issues}` : ''}. Fix the cause and apply again: the failed node group is deleted and created anew`,
    );
  }
  if (status === 'DELETE_FAILED') {
    const issues = healthIssues(ng);
    throw new ProvisioningFailedError(`EKS could not delete node group ${name}${issues ? `: ${issues}` : ''}`);
  }
  const settled = waitFor === 'active' ? !IN_PROGRESS.has(status) : false;
  return { nodeGroupName: name, waitFor, status, settled, polls, waitSeconds: waitSecondsAfter(polls) };
}

/** One pass of the wait loop. */
export async function checkNodeGroup(
  eks: EKSClient,
  clusterName: string,
  name: string,
  waitFor: 'active' | 'gone',
  polls: number,
  maxPolls: number,
): Promise<NodeGroupProgress> {
  const progress = progressOf(await describeNodeGroup(eks, clusterName, name), name, waitFor, polls);
  if (!progress.settled && polls >= maxPolls) {
    throw new TerminalError(
      `Node group ${name} is still ${progress.status} after ${polls} checks; look at it in the EKS console, then replay the execution`,
    );
  }
  return progress;
}

export interface CreateOptions {
  /** The node role was created by this execution: IAM may not have propagated it to EKS yet. */
  roleJustCreated: boolean;
}

export async function createNodeGroup(eks: EKSClient, ref: GroupRef, decision: NodeGroupDecision, options: CreateOptions): Promise<NodeGroupProgress> {
  const input = decision.create;
  if (!input?.nodegroupName) throw new TerminalError('Create Node Group was called without a create request');
  const name = input.nodegroupName;
  let nodegroup: Nodegroup | undefined;
  try {
    nodegroup = (await eks.send(new CreateNodegroupCommand(input))).nodegroup;
  } catch (error) {
    if (isAlreadyExists(error)) {
      nodegroup = await describeNodeGroup(eks, ref.clusterName, name);
      if (nodegroup && !ownedBy(nodegroup.tags, ref)) {
        throw new NameConflictError(`Node group ${name} already exists in cluster ${ref.clusterName} and is not instance-manager's`);
      }
    } else if (options.roleJustCreated && awsErrorName(error) === 'InvalidParameterException' && /role/i.test(awsErrorMessage(error))) {
      throw new RetryableError(`EKS does not accept node role ${input.nodeRole} yet (IAM propagates new roles within seconds): ${awsErrorMessage(error)}`, { cause: error });
    } else {
      throw awsFailure(error, `Creating node group ${name}`);
    }
  }
  return progressOf(nodegroup, name, 'active', 0);
}

export async function updateNodeGroup(eks: EKSClient, clusterName: string, decision: NodeGroupDecision): Promise<NodeGroupProgress> {
  const name = decision.nodeGroupName ?? '';
  switch (decision.action) {
    case 'update-config':
      await awsCall(`Updating scaling, labels and taints of node group ${name}`, () => eks.send(new UpdateNodegroupConfigCommand(decision.updateConfig!)));
      break;
    case 'update-version':
      await awsCall(`Updating the version of node group ${name}`, () => eks.send(new UpdateNodegroupVersionCommand(decision.updateVersion!)));
      break;
    case 'update-tags': {
      const { resourceArn, tag, untag } = decision.updateTags!;
      if (Object.keys(tag).length) await awsCall(`Tagging node group ${name}`, () => eks.send(new TagResourceCommand({ resourceArn, tags: tag })));
      if (untag.length) await awsCall(`Untagging node group ${name}`, () => eks.send(new UntagResourceCommand({ resourceArn, tagKeys: untag })));
      break;
    }
    default:
      throw new TerminalError(`Update Node Group was called for action ${decision.action}`);
  }
  return progressOf(await describeNodeGroup(eks, clusterName, name), name, 'active', 0);
}

export async function deleteNodeGroup(eks: EKSClient, clusterName: string, name: string): Promise<NodeGroupProgress> {
  const deleted = await awsFind(`Deleting node group ${name}`, () => eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName: name })));
  if (!deleted) return progressOf(undefined, name, 'gone', 0);
  return progressOf(await describeNodeGroup(eks, clusterName, name), name, 'gone', 0);
}
