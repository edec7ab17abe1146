import type { IAMClient } from '@aws-sdk/client-iam';
import { NameConflictError, RetryableError } from '../../../core/errors/index.js';
import { ownershipTags } from '../../../core/names/index.js';
import { deleteOwnedRole, ensureRole, roleNameOfArn } from '../../../functions/shared/iam-role.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';
import { stampTags } from '../../../functions/shared/stamp.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'web' };
const tags = Object.entries(ownershipTags(ref)).map(([Key, Value]) => ({ Key, Value }));
const request = { roleName: 'r', trustPolicy: {}, policyArns: ['arn:p1', 'arn:p2'], description: 'd', tags: ownershipTags(ref) };
const toList = (t: Record<string, string>) => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
const noSuchEntity = () => {
  throw awsError('NoSuchEntityException', 'The role with name r cannot be found.', 404);
};

describe('IAM roles instance-manager creates', () => {
  test('absent: created with its tags, then its policies attached', async () => {
    const { client, calls } = stubClient<IAMClient>({
      GetRole: noSuchEntity,
      CreateRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:aws:iam::1:role/r' } }),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [] }),
      AttachRolePolicy: () => ({}),
    });
    expect(await ensureRole(client, ref, request)).toEqual({ roleArn: 'arn:aws:iam::1:role/r', roleName: 'r', created: true });
    expect(calls.find((c) => c.command === 'CreateRole')!.input.Tags).toEqual(tags);
    expect(calls.filter((c) => c.command === 'AttachRolePolicy').map((c) => c.input.PolicyArn)).toEqual(['arn:p1', 'arn:p2']);
  });

  test('present and ours: only missing policies are attached', async () => {
    const { client, calls } = stubClient<IAMClient>({
      GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: tags } }),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [{ PolicyArn: 'arn:p1' }] }),
      AttachRolePolicy: () => ({}),
    });
    expect((await ensureRole(client, ref, request)).created).toBe(false);
    expect(calls.filter((c) => c.command === 'AttachRolePolicy').map((c) => c.input.PolicyArn)).toEqual(['arn:p2']);
  });

  test('stamps: a new role carries the owner uid; one of a former group of the same name is restamped for this one', async () => {
    const stamp = { uid: 'uid-2', generation: 1 };
    const fresh = stubClient<IAMClient>({
      GetRole: noSuchEntity,
      CreateRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r' } }),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [{ PolicyArn: 'arn:p1' }, { PolicyArn: 'arn:p2' }] }),
    });
    await ensureRole(fresh.client, ref, { ...request, stamp });
    expect(fresh.calls.find((c) => c.command === 'CreateRole')!.input.Tags).toEqual([...tags, ...toList(stampTags(stamp))]);

    const former = [...tags, ...toList(stampTags({ uid: 'uid-1', generation: 7 }))];
    const adopted = stubClient<IAMClient>({
      GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: former } }),
      TagRole: () => ({}),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [{ PolicyArn: 'arn:p1' }, { PolicyArn: 'arn:p2' }] }),
    });
    await ensureRole(adopted.client, ref, { ...request, stamp });
    // The ownership tags go along: IAM lets instance-manager tag a role only with them in the request.
    expect(adopted.calls.find((c) => c.command === 'TagRole')!.input).toEqual({ RoleName: 'r', Tags: [...tags, ...toList(stampTags(stamp))] });

    const own = stubClient<IAMClient>({
      GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: [...tags, ...toList(stampTags({ uid: 'uid-2', generation: 1 }))] } }),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [{ PolicyArn: 'arn:p1' }, { PolicyArn: 'arn:p2' }] }),
    });
    await ensureRole(own.client, ref, { ...request, stamp: { uid: 'uid-2', generation: 4 } });
    expect(own.calls.map((c) => c.command)).toEqual(['GetRole', 'ListAttachedRolePolicies']);
  });

  test('present and not ours: never adopted', async () => {
    const { client } = stubClient<IAMClient>({ GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: [] } }), ListRoleTags: () => ({ Tags: [] }) });
    await expect(ensureRole(client, ref, request)).rejects.toThrow(NameConflictError);
  });

  test('delete: policies detached, inline policies removed, then the role; a role not ours is left alone', async () => {
    const { client, calls } = stubClient<IAMClient>({
      GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: tags } }),
      ListInstanceProfilesForRole: () => ({ InstanceProfiles: [] }),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [{ PolicyArn: 'arn:p1' }] }),
      DetachRolePolicy: () => ({}),
      ListRolePolicies: () => ({ PolicyNames: ['inline'] }),
      DeleteRolePolicy: () => ({}),
      DeleteRole: () => ({}),
    });
    expect(await deleteOwnedRole(client, ref, 'r')).toEqual({ roleName: 'r', deleted: true });
    expect(calls.map((c) => c.command)).toEqual(['GetRole', 'ListInstanceProfilesForRole', 'ListAttachedRolePolicies', 'DetachRolePolicy', 'ListRolePolicies', 'DeleteRolePolicy', 'DeleteRole']);

    const theirs = stubClient<IAMClient>({ GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: [{ Key: 'owner', Value: 'x' }] } }) });
    expect(await deleteOwnedRole(theirs.client, ref, 'r')).toMatchObject({ deleted: false, note: expect.stringContaining('left in place') });
    expect(theirs.calls.map((c) => c.command)).toEqual(['GetRole']);
    const gone = stubClient<IAMClient>({ GetRole: noSuchEntity });
    expect(await deleteOwnedRole(gone.client, ref, 'r')).toMatchObject({ deleted: false });
  });

  test('delete waits while EKS still holds the role in an instance profile', async () => {
    const { client } = stubClient<IAMClient>({
      GetRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:r', Tags: tags } }),
      ListInstanceProfilesForRole: () => ({ InstanceProfiles: [{ InstanceProfileName: 'eks-1234' }] }),
    });
    await expect(deleteOwnedRole(client, ref, 'r')).rejects.toThrow(RetryableError);
  });

  test('role names come from ARNs with or without a path', () => {
    expect(roleNameOfArn('arn:aws:iam::123456789012:role/MyPodRole')).toBe('MyPodRole');
    expect(roleNameOfArn('arn:aws:iam::123456789012:role/teams/a/MyPodRole')).toBe('MyPodRole');
  });
});
