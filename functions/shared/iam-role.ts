// IAM roles instance-manager creates for a group (the managed node role, the Fargate pod execution role): created
// when absent with ownership tags, and deleted only when those tags say they are ours.
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  TagRoleCommand,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import { NameConflictError, RetryableError } from '../../core/errors/index.js';
import { ownershipTags, type GroupRef } from '../../core/names/index.js';
import type { Tags } from '../../core/spec/types.js';
import { awsCall, awsFailure, awsFind, isAlreadyExists } from './aws-errors.js';
import { ownedBy } from './ownership.js';
import { readStamp, stampTags, type Stamp } from './stamp.js';
import { IAM_PATH } from '../../core/policy/policy.js';

export { ownedBy };

export interface RoleRequest {
  roleName: string;
  /** Whose service principal may assume it. */
  trustPolicy: object;
  policyArns: string[];
  description: string;
  /** Every tag the role carries; ownership tags included. */
  tags: Tags;
  /** The group that uses it (shared/stamp.ts): a role another owner stamped is left alone by that owner's delete. */
  stamp?: Stamp;
}

export interface RoleResult {
  roleArn: string;
  roleName: string;
  /** True when this call created the role (IAM may need a few seconds before other services accept it). */
  created: boolean;
}

/** Role name from an ARN: arn:aws:iam::123456789012:role/path/name → name. */
export function roleNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function servicePrincipalTrust(service: string, condition?: object): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) },
    ],
  };
}


async function tagsOf(iam: IAMClient, role: Role): Promise<Tags> {
  if (role.Tags?.length) return Object.fromEntries(role.Tags.map((t) => [t.Key ?? '', t.Value ?? '']));
  const listed = await awsCall(`Reading tags of IAM role ${role.RoleName}`, () => iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName })));
  return Object.fromEntries((listed.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

export async function findRole(iam: IAMClient, roleName: string): Promise<Role | undefined> {
  const found = await awsFind(`Reading IAM role ${roleName}`, () => iam.send(new GetRoleCommand({ RoleName: roleName })));
  return found?.Role;
}

/**
 * Makes sure the group's role exists with its policies. A role of that name that instance-manager does not own
 * for this group is never adopted.
 */
export async function ensureRole(iam: IAMClient, ref: GroupRef, request: RoleRequest): Promise<RoleResult> {
  const { roleName } = request;
  let role = await findRole(iam, roleName);
  let created = false;
  if (!role) {
    try {
      const out = await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          // instance-manager's own IAM path: its PassRole and role-writing permissions are scoped to it.
          Path: IAM_PATH,
          AssumeRolePolicyDocument: JSON.stringify(request.trustPolicy),
          Description: request.description.slice(0, 1000),
          Tags: Object.entries({ ...request.tags, ...(request.stamp ? stampTags(request.stamp) : {}) }).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      role = out.Role;
      created = true;
    } catch (error) {
      if (!isAlreadyExists(error)) throw awsFailure(error, `Creating IAM role ${roleName}`);
      role = await findRole(iam, roleName); // created meanwhile by a parallel attempt
    }
  }
  if (!role?.Arn) throw new RetryableError(`IAM role ${roleName} is not readable yet after creating it`);
  const tags = created ? {} : await tagsOf(iam, role);
  if (!created && !ownedBy(tags, ref)) {
    throw new NameConflictError(
      `IAM role ${roleName} exists but was not created by instance-manager for ${ref.namespace}/${ref.name}; ` +
        `delete or rename it, or name your own role in the spec`,
    );
  }
  if (!created && request.stamp && readStamp(tags).uid !== request.stamp.uid) {
    // Adopted from an earlier group of the same name (or from before stamps): that group's late delete must leave it.
    // The ownership tags go along: IAM lets instance-manager tag only with them in the request.
    const adopt = { ...ownershipTags(ref), ...stampTags(request.stamp) };
    await awsCall(`Stamping IAM role ${roleName} for this group`, () =>
      iam.send(new TagRoleCommand({ RoleName: roleName, Tags: Object.entries(adopt).map(([Key, Value]) => ({ Key, Value })) })),
    );
  }
  const attached = await awsCall(`Listing policies of IAM role ${roleName}`, () =>
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
  );
  const have = new Set((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn));
  for (const policyArn of request.policyArns.filter((p) => !have.has(p))) {
    await awsCall(`Attaching ${policyArn} to IAM role ${roleName}`, () =>
      iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
    );
  }
  return { roleArn: role.Arn, roleName, created };
}

export interface RoleDeletion {
  roleName: string;
  deleted: boolean;
  /** Why nothing was deleted, in words. */
  note?: string;
}

/**
 * Deletes the group's role if it exists and instance-manager owns it for this group. Policies are detached first;
 * an instance profile still holding the role (EKS removes its own shortly after a node group goes) is waited for.
 */
export async function deleteOwnedRole(iam: IAMClient, ref: GroupRef, roleName: string): Promise<RoleDeletion> {
  const role = await findRole(iam, roleName);
  if (!role) return { roleName, deleted: false, note: `IAM role ${roleName} does not exist` };
  if (!ownedBy(await tagsOf(iam, role), ref)) {
    return { roleName, deleted: false, note: `IAM role ${roleName} is not instance-manager's for this group; left in place` };
  }
  return deleteRole(iam, roleName);
}

/** The role with its tags (read separately when GetRole leaves them out); undefined when it does not exist. */
export async function findRoleWithTags(iam: IAMClient, roleName: string): Promise<{ role: Role; tags: Tags } | undefined> {
  const role = await findRole(iam, roleName);
  return role ? { role, tags: await tagsOf(iam, role) } : undefined;
}

/** Deletes a role whose ownership the caller has checked: its policies first, then the role itself. */
export async function deleteRole(iam: IAMClient, roleName: string): Promise<RoleDeletion> {
  const profiles = await awsCall(`Listing instance profiles of IAM role ${roleName}`, () =>
    iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: roleName })),
  );
  const holding = (profiles.InstanceProfiles ?? []).map((p) => p.InstanceProfileName);
  if (holding.length) {
    throw new RetryableError(`IAM role ${roleName} is still in instance profile(s) ${holding.join(', ')}; waiting for EKS to remove them`);
  }
  const attached = await awsCall(`Listing policies of IAM role ${roleName}`, () =>
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
  );
  for (const p of attached.AttachedPolicies ?? []) {
    await awsFind(`Detaching ${p.PolicyArn} from IAM role ${roleName}`, () =>
      iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p.PolicyArn })),
    );
  }
  const inline = await awsCall(`Listing inline policies of IAM role ${roleName}`, () => iam.send(new ListRolePoliciesCommand({ RoleName: roleName })));
  for (const policyName of inline.PolicyNames ?? []) {
    await awsFind(`Deleting inline policy ${policyName} of IAM role ${roleName}`, () =>
      iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
  }
  await awsFind(`Deleting IAM role ${roleName}`, () => iam.send(new DeleteRoleCommand({ RoleName: roleName })));
  return { roleName, deleted: true };
}
