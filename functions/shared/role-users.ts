// Reference counting of the IAM roles instance-manager creates for a group: another InstanceGroup may name that role
// in its spec (eks-cf roleName, eks-managed nodeRole, eks-fargate podExecutionRoleArn) or report it in its status.
// Such a role outlives its creator until nobody uses it; deleting it would take the other group's nodes down.
// A group that is being deleted no longer counts: its nodes are going, and were it to count, two groups deleted at
// the same time would each keep the role for the other and leave it behind.
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import type { WorkflowState } from './workflow-state.js';

/** arn:aws:iam::1:role/path/name, role/name or name → name. */
const roleNameOf = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

function roleReferences(group: InstanceGroup): string[] {
  const spec = group.spec as unknown as Record<string, { configuration?: Record<string, unknown>; podExecutionRoleArn?: unknown } | undefined>;
  const status = group.status as { nodesInstanceRoleArn?: unknown; podExecutionRoleArn?: unknown } | undefined;
  return [
    spec?.['eks-cf']?.configuration?.roleName,
    spec?.['eks-managed']?.configuration?.nodeRole,
    spec?.['eks-fargate']?.podExecutionRoleArn,
    status?.nodesInstanceRoleArn,
    status?.podExecutionRoleArn,
  ].filter((r): r is string => typeof r === 'string' && r.length > 0);
}

/** The other groups ("namespace/name") that name or report the role; the group with `exceptUid` is left out. */
export function groupsUsingRole(groups: InstanceGroup[], roleName: string, exceptUid: string): string[] {
  return groups
    .filter((g) => g.metadata.uid !== exceptUid && !g.metadata.deletionTimestamp)
    .filter((g) => roleReferences(g).some((ref) => roleNameOf(ref) === roleName))
    .map((g) => `${g.metadata.namespace}/${g.metadata.name}`)
    .sort();
}

/** Every InstanceGroup of the change's cluster, as the role checks read them. */
export async function listGroups(state: WorkflowState, access: ClusterAccess): Promise<InstanceGroup[]> {
  return (await new InstanceGroupApi(await access.connect(state.change.cluster)).list()).items;
}

export async function otherUsersOfRole(state: WorkflowState, access: ClusterAccess, roleName: string): Promise<string[]> {
  return groupsUsingRole(await listGroups(state, access), roleName, state.change.group.uid);
}
