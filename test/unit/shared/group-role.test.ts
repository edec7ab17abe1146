import type { IAMClient } from '@aws-sdk/client-iam';
import type { ClusterAccess } from '../../../core/kube/access.js';
import { KubeRest } from '../../../core/kube/rest.js';
import { ownershipTags, roleName, type GroupRef } from '../../../core/names/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import { cleanUpGroupRole, roleVerdict, type RoleCleanupInput } from '../../../functions/shared/group-role.js';
import { NODE_ROLE } from '../../../functions/eks-managed/node-role.js';
import { POD_EXECUTION_ROLE } from '../../../functions/eks-fargate/pod-role.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';
import { stampTags } from '../../../functions/shared/stamp.js';

// Issue 14, defect 10: a role several groups share is deleted neither while another group uses it nor never.
const refA: GroupRef = { clusterName: 'c', namespace: 'ns', name: 'a' };
const refB: GroupRef = { clusterName: 'c', namespace: 'ns', name: 'b' };
const roleA = roleName(refA, 'nodes');
const arnA = `arn:aws:iam::123456789012:role/instance-manager/${roleA}`;

const group = (uid: string, name: string, spec: unknown, options: { status?: unknown; deleting?: boolean } = {}) =>
  ({
    metadata: { uid, namespace: 'ns', name, generation: 1, resourceVersion: '1', ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec,
    ...(options.status ? { status: options.status } : {}),
  }) as unknown as InstanceGroup;

const ownerA = (deleting = false) => group('uid-a', 'a', { provisioner: 'eks-managed' }, { status: { nodesInstanceRoleArn: arnA }, deleting });
const userB = (deleting = false) =>
  group('uid-b', 'b', { provisioner: 'eks-managed', 'eks-managed': { configuration: { nodeRole: arnA } } }, { status: { nodesInstanceRoleArn: arnA }, deleting });

const tagsOf = (ref: GroupRef) => ownershipTags(ref);

describe('roleVerdict: who may delete a role several groups share', () => {
  const self = { ref: refA, uid: 'uid-a' };

  test('uid mismatch: the role of a group recreated under the same name (stamped with its uid) is left alone', () => {
    const recreatedRole = { roleName: roleA, tags: { ...tagsOf(refA), ...stampTags({ uid: 'uid-a2', generation: 1 }) } };
    expect(roleVerdict(recreatedRole, self, [], false)).toEqual({ delete: false, note: expect.stringContaining('recreated under the name ns/a') });
    expect(roleVerdict({ roleName: roleA, tags: { ...tagsOf(refA), ...stampTags({ uid: 'uid-a', generation: 3 }) } }, self, [], false)).toEqual({ delete: true });
  });

  test('the creator keeps its role while another group uses it', () => {
    const verdict = roleVerdict({ roleName: roleA, tags: tagsOf(refA) }, self, [ownerA(true), userB()], false);
    expect(verdict).toEqual({ delete: false, note: expect.stringContaining('InstanceGroup ns/b still uses it; it is deleted when the last of them goes') });
  });

  test('the creator deletes its role once no other group uses it', () => {
    expect(roleVerdict({ roleName: roleA, tags: tagsOf(refA) }, self, [ownerA(true)], false)).toEqual({ delete: true });
  });

  test('a group being deleted no longer counts as a user, so two groups deleted together leave nothing behind', () => {
    expect(roleVerdict({ roleName: roleA, tags: tagsOf(refA) }, self, [ownerA(true), userB(true)], false)).toEqual({ delete: true });
  });

  test('the last user deletes the role it named once its creator is gone', () => {
    expect(roleVerdict({ roleName: roleA, tags: tagsOf(refA) }, { ref: refB, uid: 'uid-b' }, [userB(true)], true)).toEqual({ delete: true });
  });

  test('a user leaves the role to its creator while the creator exists', () => {
    const verdict = roleVerdict({ roleName: roleA, tags: tagsOf(refA) }, { ref: refB, uid: 'uid-b' }, [ownerA(), userB(true)], true);
    expect(verdict).toEqual({ delete: false, note: expect.stringContaining('belongs to InstanceGroup ns/a, which still exists') });
  });

  test('a user whose creator is gone keeps the role while a third group still uses it', () => {
    const third = group('uid-c', 'c', { provisioner: 'eks-managed', 'eks-managed': { configuration: { nodeRole: arnA } } });
    const verdict = roleVerdict({ roleName: roleA, tags: tagsOf(refA) }, { ref: refB, uid: 'uid-b' }, [userB(true), third], true);
    expect(verdict).toEqual({ delete: false, note: expect.stringContaining('InstanceGroup ns/c still uses it') });
  });

  test('a role instance-manager did not create is never deleted, even when a group named it', () => {
    const verdict = roleVerdict({ roleName: 'hand-made', tags: {} }, { ref: refB, uid: 'uid-b' }, [], true);
    expect(verdict).toEqual({ delete: false, note: 'IAM role hand-made was not created by instance-manager; left in place' });
  });

  test("the group's own role name held by another group's role is left in place", () => {
    const verdict = roleVerdict({ roleName: roleA, tags: tagsOf(refB) }, self, [], false);
    expect(verdict).toEqual({ delete: false, note: expect.stringContaining("is not instance-manager's for this group") });
  });
});

function accessListing(groups: InstanceGroup[]): ClusterAccess {
  const kube = new KubeRest({ server: 'http://127.0.0.1:1' });
  kube.get = (async () => ({ items: structuredClone(groups), metadata: { resourceVersion: '1' } })) as KubeRest['get'];
  return { connect: async () => kube } as unknown as ClusterAccess;
}

/** An IAM that holds the named roles (with their tags) and records deletions. */
function iamHolding(roles: Record<string, Record<string, string>>) {
  const noSuchEntity = () => {
    throw awsError('NoSuchEntityException', 'The role cannot be found.', 404);
  };
  return stubClient<IAMClient>({
    GetRole: (input) => {
      const tags = roles[input.RoleName as string];
      if (!tags) return noSuchEntity();
      return { Role: { RoleName: input.RoleName, Arn: `arn:aws:iam::123456789012:role/${input.RoleName}`, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } };
    },
    ListInstanceProfilesForRole: () => ({ InstanceProfiles: [] }),
    ListAttachedRolePolicies: () => ({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy' }] }),
    DetachRolePolicy: () => ({}),
    ListRolePolicies: () => ({ PolicyNames: [] }),
    DeleteRole: () => ({}),
  });
}

function cleanupInput(ref: GroupRef, uid: string, purpose: 'apply' | 'delete'): RoleCleanupInput {
  return {
    change: { cluster: { name: 'relay' }, group: { namespace: ref.namespace, name: ref.name, uid, generation: 1, resourceVersion: '1' } },
    execution: { arn: 'arn:exec', name: 'run' },
    group: { ref },
    purpose,
  } as unknown as RoleCleanupInput;
}

describe('cleanUpGroupRole: the one "delete our role unless another group still uses it" step', () => {
  test('creator deleted first, user later: the role is kept, then deleted with its last user', async () => {
    const iam = iamHolding({ [roleA]: tagsOf(refA) });
    const first = await cleanUpGroupRole({ iam: iam.client, access: accessListing([ownerA(true), userB()]) }, cleanupInput(refA, 'uid-a', 'delete'), NODE_ROLE, undefined);
    expect(first).toMatchObject({ roleName: roleA, deleted: false });
    expect(iam.calls.some((c) => c.command === 'DeleteRole')).toBe(false);

    const last = await cleanUpGroupRole({ iam: iam.client, access: accessListing([userB(true)]) }, cleanupInput(refB, 'uid-b', 'delete'), NODE_ROLE, arnA);
    expect(last.inherited).toEqual({ roleName: roleA, deleted: true });
    expect(iam.calls.filter((c) => c.command === 'DeleteRole').map((c) => c.input.RoleName)).toEqual([roleA]);
  });

  test('user deleted first, creator later: the creator deletes its role when it goes', async () => {
    const iam = iamHolding({ [roleA]: tagsOf(refA) });
    const first = await cleanUpGroupRole({ iam: iam.client, access: accessListing([ownerA(), userB(true)]) }, cleanupInput(refB, 'uid-b', 'delete'), NODE_ROLE, arnA);
    expect(first.inherited).toMatchObject({ roleName: roleA, deleted: false });
    const last = await cleanUpGroupRole({ iam: iam.client, access: accessListing([ownerA(true)]) }, cleanupInput(refA, 'uid-a', 'delete'), NODE_ROLE, undefined);
    expect(last).toEqual({ roleName: roleA, deleted: true });
    expect(iam.calls.filter((c) => c.command === 'DeleteRole')).toHaveLength(1);
  });

  test('on apply, the created role stays while the spec names none', async () => {
    const iam = iamHolding({ [roleA]: tagsOf(refA) });
    const kept = await cleanUpGroupRole({ iam: iam.client, access: accessListing([]) }, cleanupInput(refA, 'uid-a', 'apply'), NODE_ROLE, undefined);
    expect(kept).toEqual({ deleted: false, note: 'the node group uses the role instance-manager created; kept' });
    expect(iam.calls).toHaveLength(0);
  });

  test('eks-fargate uses the same step for its pod execution role', async () => {
    const podRole = roleName(refA, 'fargate-pods');
    const iam = iamHolding({ [podRole]: tagsOf(refA) });
    const own = `arn:aws:iam::123456789012:role/mine`;
    const result = await cleanUpGroupRole({ iam: iam.client, access: accessListing([]) }, cleanupInput(refA, 'uid-a', 'apply'), POD_EXECUTION_ROLE, own);
    expect(result).toEqual({ roleName: podRole, deleted: true });
  });
});
