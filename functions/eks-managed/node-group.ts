// A managed node group as eks-managed plans it: what the spec wants (DesiredNodeGroup), what EKS holds
// (OwnedNodeGroup), the decision the plan makes, and the pure translations between them: the create request, the
// tags, and what status reports of a node group.
import type {
  CreateNodegroupCommandInput,
  Nodegroup,
  UpdateNodegroupConfigCommandInput,
  UpdateNodegroupVersionCommandInput,
} from '@aws-sdk/client-eks';
import { nodeGroupName, shortHash, type GroupRef } from '../../core/names/index.js';
import type { EksManagedSpec, Tags } from '../../core/spec/types.js';
import type { ObservedResources } from '../../core/status/index.js';
import { healthIssues, revisionsByName as revisionsOf, MAX_REVISIONS, type TagChange } from '../shared/eks-resource-plan.js';
import { groupTags } from '../shared/ownership.js';
import { stampTags, type Stamp } from '../shared/stamp.js';
import { CREATED_WITH_TAG, createdWith } from './replace-fields.js';
import { updateConfigOf } from './update-config.js';

export { healthIssues, MAX_REVISIONS };

export interface DesiredNodeGroup {
  ref: GroupRef;
  spec: EksManagedSpec;
  /** The spec's nodeRole, or the role instance-manager created for the group. */
  nodeRoleArn: string;
  /** Who applies (shared/stamp.ts): stamped on the node group; a node group a newer generation wrote is not touched. */
  stamp?: Stamp;
}

export interface OwnedNodeGroup {
  revision: number;
  nodegroup: Nodegroup;
}

export type NodeGroupAction = 'create' | 'update-config' | 'update-version' | 'update-tags' | 'delete' | 'wait' | 'none';

export interface NodeGroupDecision {
  action: NodeGroupAction;
  /** The node group the action (or the wait) concerns. */
  nodeGroupName?: string;
  /** What the wait after the action waits for. */
  waitFor?: 'active' | 'gone';
  /** The decision in words, as the execution history shows it: "Creating node group ...". */
  summary: string;
  /** The same once done, for the Ready message: "Created node group ...". Only for changes. */
  done?: string;
  create?: CreateNodegroupCommandInput;
  updateConfig?: UpdateNodegroupConfigCommandInput;
  updateVersion?: UpdateNodegroupVersionCommandInput;
  updateTags?: TagChange;
  observed?: ObservedResources;
  degraded?: { reason: string; message: string };
}


export const status = (o: OwnedNodeGroup) => o.nodegroup.status ?? 'UNKNOWN';
export const nameOf = (o: OwnedNodeGroup) => o.nodegroup.nodegroupName ?? '';
export const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));

/** name → revision for every name this group's node groups can have. */
export function revisionsByName(ref: GroupRef, max = MAX_REVISIONS): Map<string, number> {
  return revisionsOf(ref, nodeGroupName, max);
}

/** The tags a node group of this group carries (CREATED_WITH_TAG aside): the user's, then ours. */
export function nodeGroupTags(d: DesiredNodeGroup): Tags {
  return groupTags(d.spec.tags, d.ref);
}

export function createRequest(d: DesiredNodeGroup, name: string, idempotencyKey: string, desiredSize?: number): CreateNodegroupCommandInput {
  const s = d.spec;
  return {
    clusterName: s.clusterName,
    nodegroupName: name,
    scalingConfig: { minSize: s.minSize, maxSize: s.maxSize, desiredSize: clamp(desiredSize ?? s.minSize, s.minSize, s.maxSize) },
    subnets: s.subnets,
    nodeRole: d.nodeRoleArn,
    diskSize: s.diskSize,
    capacityType: s.capacityType,
    ...(s.instanceTypes.length ? { instanceTypes: s.instanceTypes } : {}),
    ...(s.amiType ? { amiType: s.amiType as CreateNodegroupCommandInput['amiType'] } : {}),
    ...(s.version ? { version: s.version } : {}),
    ...(s.releaseVersion ? { releaseVersion: s.releaseVersion } : {}),
    ...(s.remoteAccess
      ? {
          remoteAccess: {
            ec2SshKey: s.remoteAccess.keyPairName,
            ...(s.remoteAccess.sourceSecurityGroups.length ? { sourceSecurityGroups: s.remoteAccess.sourceSecurityGroups } : {}),
          },
        }
      : {}),
    ...(Object.keys(s.labels).length ? { labels: s.labels } : {}),
    ...(s.taints.length ? { taints: s.taints.map((t) => ({ ...t })) } : {}),
    ...(updateConfigOf(s) ? { updateConfig: updateConfigOf(s) } : {}),
    tags: { ...nodeGroupTags(d), [CREATED_WITH_TAG]: createdWith(d), ...(d.stamp ? stampTags(d.stamp) : {}) },
    clientRequestToken: shortHash('create-nodegroup', idempotencyKey, name),
  };
}

export function observedOf(ng: Nodegroup): ObservedResources {
  const groups = (ng.resources?.autoScalingGroups ?? []).map((g) => g.name).filter((n): n is string => !!n);
  return {
    ...(ng.scalingConfig?.minSize !== undefined ? { currentMin: ng.scalingConfig.minSize } : {}),
    ...(ng.scalingConfig?.maxSize !== undefined ? { currentMax: ng.scalingConfig.maxSize } : {}),
    ...(ng.nodegroupName ? { nodeGroupName: ng.nodegroupName } : {}),
    ...(groups.length ? { activeScalingGroupName: groups.join(',') } : {}),
    ...(ng.nodeRole ? { nodesInstanceRoleArn: ng.nodeRole } : {}),
    lifecycle: ng.capacityType === 'SPOT' ? 'spot' : 'normal',
    // EKS reports ACTIVE only once the node group's nodes joined the cluster.
    ...(ng.status === 'ACTIVE' && ng.scalingConfig?.desiredSize !== undefined
      ? { desiredNodes: ng.scalingConfig.desiredSize, readyNodes: ng.scalingConfig.desiredSize }
      : {}),
  };
}


/** The Degraded condition for a node group EKS reports as DEGRADED or with health issues. */
export function degradedOf(ng: Nodegroup): { reason: string; message: string } | undefined {
  const issues = ng.health?.issues ?? [];
  if (ng.status !== 'DEGRADED' && !issues.length) return undefined;
  const first = issues[0]?.code;
  const reason = first && /^[A-Z][A-Za-z0-9]*$/.test(first) ? first : 'NodeGroupDegraded';
  const message = issues.length
    ? `EKS reports ${issues.length} health issue${issues.length > 1 ? 's' : ''} on node group ${ng.nodegroupName}: ${healthIssues(ng)}`
    : `EKS reports node group ${ng.nodegroupName} as DEGRADED without details; see the node group's Health tab in the EKS console`;
  return { reason, message };
}
