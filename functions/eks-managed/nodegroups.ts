// eks-managed's resource manager: a group's managed node groups. The EKS calls both kinds of resource share are in
// functions/shared/eks-resource.ts; what is the node group's own is here: which node groups are the group's, and
// the in-place updates (config, version, tags).
import {
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeNodegroupCommand,
  ListNodegroupsCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
  type CreateNodegroupCommandInput,
  type EKSClient,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { NameConflictError, TerminalError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import { awsCall } from '../shared/aws-errors.js';
import * as eksResource from '../shared/eks-resource.js';
import type { CreateOptions, EksResourceKind, ResourceProgress, WriteGuard } from '../shared/eks-resource.js';
import { ownedBy } from '../shared/ownership.js';
import type { Intent, ResourceManager, Target } from '../shared/resource-manager.js';
import type { Stamp } from '../shared/stamp.js';
import { planApply, planDelete, revisionsByName, type DesiredNodeGroup, type NodeGroupDecision, type OwnedNodeGroup } from './plan.js';

export type { CreateOptions, WriteGuard };

export interface NodeGroupsFound {
  owned: OwnedNodeGroup[];
  /** Names this group's node groups would have, held by node groups that are not instance-manager's. */
  foreign: string[];
  /** The EKS cluster itself does not exist. */
  clusterMissing: boolean;
}

export type NodeGroupProgress = ResourceProgress<'nodeGroupName'>;

const NODE_GROUP: EksResourceKind<Nodegroup, CreateNodegroupCommandInput, 'nodeGroupName'> = {
  noun: 'node group',
  plural: 'node groups',
  shortNoun: 'node group',
  title: 'Node Group',
  roleNoun: 'node role',
  nameKey: 'nodeGroupName',
  describe: async (eks, clusterName, name) => (await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName: name }))).nodegroup,
  nameOf: (ng) => ng.nodegroupName,
  arnOf: (ng) => ng.nodegroupArn,
  nameOfRequest: (input) => input.nodegroupName,
  roleOfRequest: (input) => input.nodeRole,
  settledActive: (status) => !['CREATING', 'UPDATING', 'DELETING'].includes(status),
  conflict: (name, clusterName) => new NameConflictError(`Node group ${name} already exists in cluster ${clusterName} and is not instance-manager's`),
};

const listNodeGroups: eksResource.ListPage = async (eks, clusterName, nextToken) => {
  const page = await eks.send(new ListNodegroupsCommand({ clusterName, ...(nextToken ? { nextToken } : {}) }));
  return { names: page.nodegroups ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};

export function describeNodeGroup(eks: EKSClient, clusterName: string, name: string): Promise<Nodegroup | undefined> {
  return eksResource.describeResource(NODE_GROUP, eks, clusterName, name);
}

/**
 * The group's node groups: one paginated ListNodegroups (names only), then a Describe for the names this group's
 * node groups can have (nodeGroupName(ref, revision)). Other teams' node groups are never described.
 */
export async function findNodeGroups(eks: EKSClient, ref: GroupRef): Promise<NodeGroupsFound> {
  const { names, clusterMissing } = await eksResource.listNames(NODE_GROUP, listNodeGroups, eks, ref.clusterName);
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
  return { owned, foreign, clusterMissing };
}

export function progressOf(ng: Nodegroup | undefined, name: string, waitFor: 'active' | 'gone', polls: number): NodeGroupProgress {
  return eksResource.progressOf(NODE_GROUP, ng, name, waitFor, polls);
}

/** One pass of the wait loop. */
export function checkNodeGroup(eks: EKSClient, clusterName: string, name: string, waitFor: 'active' | 'gone', polls: number, maxPolls: number) {
  return eksResource.checkResource(NODE_GROUP, eks, { clusterName, name, waitFor }, polls, maxPolls);
}

/** The node groups of the group among those found: their stamps say which generation last wrote them. */
export const ownNodeGroups = (found: NodeGroupsFound): Nodegroup[] => found.owned.map((o) => o.nodegroup);

/**
 * Sends CreateNodegroup. With a stamp, the group's node groups are read right before: when a newer generation of
 * the same owner already wrote one, this older execution creates nothing (NoLongerWantedError).
 */
export async function createNodeGroup(eks: EKSClient, ref: GroupRef, decision: NodeGroupDecision, options: CreateOptions): Promise<NodeGroupProgress> {
  return eksResource.createResource(
    NODE_GROUP,
    async (client, input) => (await client.send(new CreateNodegroupCommand(input))).nodegroup,
    eks,
    ref,
    decision.create,
    options,
    async () => ownNodeGroups(await findNodeGroups(eks, ref)),
  );
}

/**
 * One in-place update. With a stamp, the node group is read right before the call (a newer generation's node group
 * is not written: NoLongerWantedError), and once the call succeeded its stamp moves to this generation.
 */
export async function updateNodeGroup(eks: EKSClient, clusterName: string, decision: NodeGroupDecision, stamp?: Stamp): Promise<NodeGroupProgress> {
  const name = decision.nodeGroupName ?? '';
  const write = async () => {
    switch (decision.action) {
      case 'update-config':
        return awsCall(`Updating scaling, labels and taints of node group ${name}`, () => eks.send(new UpdateNodegroupConfigCommand(decision.updateConfig!)));
      case 'update-version':
        return awsCall(`Updating the version of node group ${name}`, () => eks.send(new UpdateNodegroupVersionCommand(decision.updateVersion!)));
      case 'update-tags':
        return eksResource.retagResource(NODE_GROUP, eks, name, decision.updateTags!);
      default:
        throw new TerminalError(`Update Node Group was called for action ${decision.action}`);
    }
  };
  return eksResource.updateResource(NODE_GROUP, eks, { clusterName, name }, write, stamp, decision.updateTags?.tag);
}

/** Starts deleting a node group; with a guard, not one a newer generation wrote or another owner stamped. */
export function deleteNodeGroup(eks: EKSClient, clusterName: string, name: string, guard?: WriteGuard): Promise<NodeGroupProgress> {
  return eksResource.deleteResource(
    NODE_GROUP,
    (client, cluster, nodegroupName) => client.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName })),
    eks,
    clusterName,
    name,
    guard,
  );
}

export type NodeGroupManager = ResourceManager<DesiredNodeGroup, NodeGroupsFound, NodeGroupDecision, NodeGroupProgress, CreateOptions>;

/** The manager's plan: the next step towards the intent, from what findNodeGroups found. Pure. */
export function planNodeGroups(intent: Intent<DesiredNodeGroup>, found: NodeGroupsFound): NodeGroupDecision {
  return intent.purpose === 'delete'
    ? planDelete(found.owned, intent.ownerUid)
    : planApply(intent.desired, found.owned, { foreign: found.foreign, idempotencyKey: intent.idempotencyKey });
}

/** The manager's progress: one look at the node group the last action concerned. */
export function nodeGroupProgress(eks: EKSClient, ref: GroupRef, target: Target, polls: number, maxPolls: number): Promise<NodeGroupProgress> {
  return checkNodeGroup(eks, ref.clusterName, target.name, target.waitFor, polls, maxPolls);
}

/**
 * The resource manager of one group's node groups, composed of the operations above. A step imports the one
 * operation it runs instead: this object reaches every EKS command, so a bundle holding it would need them all.
 */
export function nodeGroupManager(eks: EKSClient, ref: GroupRef): NodeGroupManager {
  return {
    find: () => findNodeGroups(eks, ref),
    plan: planNodeGroups,
    create: (decision, options) => createNodeGroup(eks, ref, decision, options),
    update: (decision) => updateNodeGroup(eks, ref.clusterName, decision),
    delete: (decision) => deleteNodeGroup(eks, ref.clusterName, decision.nodeGroupName ?? ''),
    progress: (target, polls, maxPolls) => nodeGroupProgress(eks, ref, target, polls, maxPolls),
  };
}
