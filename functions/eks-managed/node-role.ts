// The node role of a managed node group when the spec names none: created with the EKS worker, CNI and ECR
// read-only policies (the same policies eks-cf gives its nodes), and deleted with the last group that uses it.
import type { IAMClient } from '@aws-sdk/client-iam';
import { roleName, type GroupRef } from '../../core/names/index.js';
import type { EksManagedSpec } from '../../core/spec/types.js';
import { awsRegion } from '../../core/aws/config.js';
import { baseNodePoliciesIn } from '../shared/node-policies.js';
import { ensureRole, servicePrincipalTrust } from '../shared/iam-role.js';
import { groupTags } from '../shared/ownership.js';
import type { GroupRoleKind } from '../shared/group-role.js';
import type { Stamp } from '../shared/stamp.js';

export interface NodeRole {
  nodeRoleArn: string;
  /** instance-manager created it for this group (and deletes it with the group). */
  ours: boolean;
  /** Created by this very call. */
  created: boolean;
}

/** The spec's node role, or the group's own, created with the base node policies of the region's partition. */
export async function ensureNodeRole(iam: IAMClient, ref: GroupRef, spec: EksManagedSpec, region = awsRegion(), stamp?: Stamp): Promise<NodeRole> {
  if (spec.nodeRoleArn) return { nodeRoleArn: spec.nodeRoleArn, ours: false, created: false };
  const result = await ensureRole(iam, ref, {
    roleName: roleName(ref, 'nodes'),
    trustPolicy: servicePrincipalTrust('ec2.amazonaws.com'),
    policyArns: baseNodePoliciesIn(region),
    description: `Nodes of InstanceGroup ${ref.namespace}/${ref.name} (EKS managed node group in ${ref.clusterName}); created by instance-manager`,
    tags: groupTags(spec.tags, ref),
    ...(stamp ? { stamp } : {}),
  });
  return { nodeRoleArn: result.roleArn, ours: true, created: result.created };
}

/** The node role's lifetime (functions/shared/group-role.ts): deleted with the last group that uses it. */
export const NODE_ROLE: GroupRoleKind = { purpose: 'nodes', usedBy: 'node group' };
