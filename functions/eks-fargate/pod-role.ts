// The pod execution role when the spec names none: trusted by eks-fargate-pods.amazonaws.com (for this cluster's
// profiles only) with AmazonEKSFargatePodExecutionRolePolicy, as the reference README describes; deleted with
// the last group that uses it. A role the spec names is never created or changed.
import type { IAMClient } from '@aws-sdk/client-iam';
import { roleName, type GroupRef } from '../../core/names/index.js';
import type { EksFargateSpec } from '../../core/spec/types.js';
import { ensureRole, servicePrincipalTrust } from '../shared/iam-role.js';
import type { GroupRoleKind } from '../shared/group-role.js';
import { groupTags } from '../shared/ownership.js';
import type { Stamp } from '../shared/stamp.js';

export const FARGATE_POD_POLICY = 'AmazonEKSFargatePodExecutionRolePolicy';

export interface PodExecutionRole {
  podExecutionRoleArn: string;
  ours: boolean;
  created: boolean;
}

/** arn:<partition>:eks:<region>:<account>:cluster/<name> → its parts. */
function clusterArnParts(clusterArn: string | undefined): { partition: string; region: string; account: string } | undefined {
  const m = /^arn:([\w-]+):eks:([\w-]+):(\d{12}):cluster\//.exec(clusterArn ?? '');
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]! } : undefined;
}

export function podRoleTrust(ref: GroupRef, clusterArn: string | undefined): object {
  const arn = clusterArnParts(clusterArn);
  // Only this cluster's Fargate profiles may use the role (AWS's confused-deputy guidance), when the ARN is known.
  const condition = arn
    ? { ArnLike: { 'aws:SourceArn': `arn:${arn.partition}:eks:${arn.region}:${arn.account}:fargateprofile/${ref.clusterName}/*` } }
    : undefined;
  return servicePrincipalTrust('eks-fargate-pods.amazonaws.com', condition);
}

export async function ensurePodExecutionRole(
  iam: IAMClient,
  ref: GroupRef,
  spec: EksFargateSpec,
  clusterArn: string | undefined,
  stamp?: Stamp,
): Promise<PodExecutionRole> {
  if (spec.podExecutionRoleArn) return { podExecutionRoleArn: spec.podExecutionRoleArn, ours: false, created: false };
  const partition = clusterArnParts(clusterArn)?.partition ?? 'aws';
  const result = await ensureRole(iam, ref, {
    roleName: roleName(ref, 'fargate-pods'),
    trustPolicy: podRoleTrust(ref, clusterArn),
    policyArns: [`arn:${partition}:iam::aws:policy/${FARGATE_POD_POLICY}`],
    description: `Fargate pods of InstanceGroup ${ref.namespace}/${ref.name} in ${ref.clusterName}; created by instance-manager`,
    tags: groupTags(spec.tags, ref),
    ...(stamp ? { stamp } : {}),
  });
  return { podExecutionRoleArn: result.roleArn, ours: true, created: result.created };
}

/** The pod execution role's lifetime (functions/shared/group-role.ts): deleted with the last group that uses it. */
export const POD_EXECUTION_ROLE: GroupRoleKind = { purpose: 'fargate-pods', usedBy: 'profile' };
