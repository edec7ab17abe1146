// The node role of a managed node group when the spec names none: created with the EKS worker, CNI and ECR
// read-only policies (the same policies eks-cf gives its nodes), and deleted with the group.
import type { IAMClient } from '@aws-sdk/client-iam';
import { ownershipTags, roleName, type GroupRef } from '../../core/names/index.js';
import type { EksManagedSpec } from '../../core/spec/types.js';
import { BASE_NODE_POLICIES } from '../eks-cf/template.js';
import { deleteOwnedRole, ensureRole, servicePrincipalTrust, type RoleDeletion } from './iam-role.js';

export interface NodeRole {
  nodeRoleArn: string;
  /** instance-manager created it for this group (and deletes it with the group). */
  ours: boolean;
  /** Created by this very call. */
  created: boolean;
}

export async function ensureNodeRole(iam: IAMClient, ref: GroupRef, spec: EksManagedSpec): Promise<NodeRole> {
  if (spec.nodeRoleArn) return { nodeRoleArn: spec.nodeRoleArn, ours: false, created: false };
  const user = Object.fromEntries(Object.entries(spec.tags).filter(([k]) => !k.startsWith('aws:')));
  const result = await ensureRole(iam, ref, {
    roleName: roleName(ref, 'nodes'),
    trustPolicy: servicePrincipalTrust('ec2.amazonaws.com'),
    policyArns: BASE_NODE_POLICIES,
    description: `Nodes of InstanceGroup ${ref.namespace}/${ref.name} (EKS managed node group in ${ref.clusterName}); created by instance-manager`,
    tags: { ...user, ...ownershipTags(ref) },
  });
  return { nodeRoleArn: result.roleArn, ours: true, created: result.created };
}

/**
 * Deletes the node role instance-manager created for the group. On apply it runs only once the spec names its own
 * role and no node group of the group uses the created one any more; on delete, once every node group is gone.
 */
export function deleteNodeRole(iam: IAMClient, ref: GroupRef): Promise<RoleDeletion> {
  return deleteOwnedRole(iam, ref, roleName(ref, 'nodes'));
}
