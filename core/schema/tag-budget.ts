// How many tags a user may give a group: AWS allows 50 per resource, and instance-manager adds its own to every
// resource it creates. ADDED_TAGS names what it adds to the most-tagged resource of each provisioner; the limit the
// schema enforces is what is left. test/unit/shared/tag-budget.test.ts builds each provisioner's resources with the
// most user tags allowed and fails when a resource carries a tag of ours that is not listed here.
import { OWNERSHIP_TAGS } from '../names/index.js';

/** AWS's limit per resource (CloudFormation stacks, Auto Scaling groups, EC2, IAM, EKS); `aws:` tags do not count. */
export const AWS_MAX_TAGS = 50;

/** Placeholder for the EKS cluster's name in a tag key. */
export const CLUSTER_NAME_PLACEHOLDER = '<clusterName>';

const OWNERSHIP = Object.values(OWNERSHIP_TAGS);
/** functions/shared/stamp.ts STAMP_TAGS: which execution last wrote the resource. */
const STAMP = ['instancemgr.keikoproj.io/owner-uid', 'instancemgr.keikoproj.io/generation'];

export const ADDED_TAGS = {
  // The Auto Scaling group and its instances: the stack's tags (the stamp and the group's cluster included;
  // CloudFormation copies them onto the group and every instance it launches), plus the group's own Name and
  // kubernetes.io/cluster tags.
  'eks-cf': [...OWNERSHIP, ...STAMP, 'instancemgr.keikoproj.io/group-cluster', 'Name', `kubernetes.io/cluster/${CLUSTER_NAME_PLACEHOLDER}`],
  // The node group: the stamp and the fields it was created with (functions/eks-managed/replace-fields.ts).
  'eks-managed': [...OWNERSHIP, ...STAMP, 'instancemgr.keikoproj.io/created-with'],
  // The Fargate profile and the pod execution role.
  'eks-fargate': [...OWNERSHIP, ...STAMP],
} as const satisfies Record<'eks-cf' | 'eks-managed' | 'eks-fargate', readonly string[]>;

export type TaggedProvisioner = keyof typeof ADDED_TAGS;

/** The most tags a user may set on a group of this provisioner. */
export function maxUserTags(provisioner: TaggedProvisioner): number {
  return AWS_MAX_TAGS - ADDED_TAGS[provisioner].length;
}

/** Why the limit is what it is, for refusals; `listed` names the tags too, for descriptions. */
export function tagBudgetReason(provisioner: TaggedProvisioner, listed = false): string {
  const added = ADDED_TAGS[provisioner];
  return `AWS allows ${AWS_MAX_TAGS} per resource and instance-manager adds ${added.length} of its own${listed ? ` (${added.join(', ')})` : ''}`;
}
