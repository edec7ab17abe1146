// The lifetime of the IAM role instance-manager creates for a group (eks-managed's node role, eks-fargate's pod
// execution role). Another group may name that role in its spec, so the role is reference-counted:
// - the group that created it deletes it when it goes (or, on apply, when its spec names a role of its own), unless
//   another group still uses it;
// - a group that named another group's role deletes it when it goes, if the creator is gone and nobody else uses
//   it: whichever user goes last takes the role with it.
// A role without instance-manager's tags, or created for a group that still exists, is never deleted here.
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ClusterAccess } from '../../core/kube/access.js';
import { OWNERSHIP_TAGS, roleName, type GroupRef, type RolePurpose } from '../../core/names/index.js';
import type { InstanceGroup, Tags } from '../../core/spec/types.js';
import { deleteRole, findRoleWithTags, roleNameOfArn, type RoleDeletion } from './iam-role.js';
import { ownedBy } from './ownership.js';
import { deletableBy, readStamp } from './stamp.js';
import { groupsUsingRole, listGroups } from './role-users.js';
import type { WorkflowState } from './workflow-state.js';

/** What tells one provisioner's role apart. */
export interface GroupRoleKind {
  /** The purpose in the role's name: roleName(ref, purpose). */
  purpose: RolePurpose;
  /** What uses the role, for the note when an apply keeps it: "node group", "profile". */
  usedBy: string;
}

export interface RoleCleanupInput extends WorkflowState {
  group: { ref: GroupRef };
  /** apply: only when the spec names its own role (the created one is then unused); delete: always. */
  purpose: 'apply' | 'delete';
}

export interface RoleCleanup extends Partial<RoleDeletion> {
  deleted: boolean;
  note?: string;
  /** On delete: what became of another group's role that this group's spec named. */
  inherited?: RoleDeletion;
}

interface Self {
  ref: GroupRef;
  uid: string;
}

export type RoleVerdict = { delete: true } | { delete: false; note: string };

/**
 * Pure: whether `self` may delete the role now, from the role's tags and every InstanceGroup of the cluster.
 * `inheriting` is true for a role the spec named rather than the group's own.
 */
export function roleVerdict(role: { roleName: string; tags: Tags }, self: Self, groups: InstanceGroup[], inheriting: boolean): RoleVerdict {
  const { roleName: name, tags } = role;
  if (tags[OWNERSHIP_TAGS.managedBy] !== 'instance-manager') {
    return { delete: false, note: `IAM role ${name} was not created by instance-manager; left in place` };
  }
  if (!inheriting && !deletableBy(readStamp(tags), self.uid)) {
    return { delete: false, note: `IAM role ${name} belongs to a group recreated under the name ${self.ref.namespace}/${self.ref.name}; left in place` };
  }
  if (!ownedBy(tags, self.ref)) {
    if (!inheriting) return { delete: false, note: `IAM role ${name} is not instance-manager's for this group; left in place` };
    const owner = `${tags[OWNERSHIP_TAGS.namespace]}/${tags[OWNERSHIP_TAGS.name]}`;
    const ownerLives = groups.some(
      (g) => `${g.metadata.namespace}/${g.metadata.name}` === owner && g.metadata.uid !== self.uid && !g.metadata.deletionTimestamp,
    );
    if (ownerLives) return { delete: false, note: `IAM role ${name} belongs to InstanceGroup ${owner}, which still exists; it is deleted with it` };
  }
  const users = groupsUsingRole(groups, name, self.uid);
  if (users.length) {
    return {
      delete: false,
      note: `IAM role ${name} is kept: InstanceGroup ${users.join(', ')} still uses it; it is deleted when the last of them goes`,
    };
  }
  return { delete: true };
}

async function settleRole(iam: IAMClient, name: string, self: Self, groups: InstanceGroup[], inheriting: boolean): Promise<RoleDeletion> {
  const found = await findRoleWithTags(iam, name);
  if (!found) return { roleName: name, deleted: false, note: `IAM role ${name} does not exist` };
  const verdict = roleVerdict({ roleName: name, tags: found.tags }, self, groups, inheriting);
  return verdict.delete ? deleteRole(iam, name) : { roleName: name, deleted: false, note: verdict.note };
}

/**
 * Deletes the group's own role when nothing uses it any more; on delete, also the role the spec named when its
 * creator is gone and this group was its last user.
 */
export async function cleanUpGroupRole(
  deps: { iam: IAMClient; access: ClusterAccess },
  input: RoleCleanupInput,
  kind: GroupRoleKind,
  namedRoleArn: string | undefined,
): Promise<RoleCleanup> {
  if (input.purpose === 'apply' && !namedRoleArn) {
    return { deleted: false, note: `the ${kind.usedBy} uses the role instance-manager created; kept` };
  }
  const self = { ref: input.group.ref, uid: input.change.group.uid };
  const groups = await listGroups(input, deps.access);
  const own = roleName(self.ref, kind.purpose);
  const result = await settleRole(deps.iam, own, self, groups, false);
  const named = namedRoleArn ? roleNameOfArn(namedRoleArn) : undefined;
  if (input.purpose !== 'delete' || !named || named === own) return result;
  return { ...result, inherited: await settleRole(deps.iam, named, self, groups, true) };
}
