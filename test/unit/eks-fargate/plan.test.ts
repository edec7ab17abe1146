import type { FargateProfile } from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, ResourceBusyError } from '../../../core/errors/index.js';
import { fargateProfileName, ownershipTags } from '../../../core/names/index.js';
import { normalizeSpec } from '../../../core/spec/normalize.js';
import type { EksFargateSpec } from '../../../core/spec/types.js';
import { createRequest, planApply, planDelete, profileChanges, type DesiredProfile } from '../../../functions/eks-fargate/plan.js';
import { loadManifest, REFERENCE_SAMPLES } from '../../support/fixtures.js';

const ref = { clusterName: 'the-cluster-for-my-pods', namespace: 'team-a', name: 'web' };
const ROLE = 'arn:aws:iam::123456789012:role/MyPodRole';
const ctx = { idempotencyKey: 'arn:aws:states:us-west-2:123456789012:execution:sm:run-1' };

function spec(over: Partial<EksFargateSpec> = {}): EksFargateSpec {
  return {
    provisioner: 'eks-fargate',
    clusterName: ref.clusterName,
    subnets: ['subnet-a', 'subnet-b'],
    selectors: [
      { namespace: 'web', labels: { app: 'web' } },
      { namespace: 'jobs', labels: {} },
    ],
    tags: { team: 'a' },
    ...over,
  };
}

const desired = (over: Partial<EksFargateSpec> = {}, podExecutionRoleArn = ROLE): DesiredProfile => ({ ref, spec: spec(over), podExecutionRoleArn });

/** What EKS reports for a profile created from `d` under `name`. */
function profile(d: DesiredProfile, name: string, over: Partial<FargateProfile> = {}): FargateProfile {
  const req = createRequest(d, name, 'key');
  return {
    fargateProfileName: name,
    fargateProfileArn: `arn:aws:eks:us-west-2:123456789012:fargateprofile/${ref.clusterName}/${name}/uuid`,
    clusterName: ref.clusterName,
    podExecutionRoleArn: req.podExecutionRoleArn,
    subnets: req.subnets,
    selectors: req.selectors,
    tags: req.tags,
    status: 'ACTIVE',
    ...over,
  };
}

const someoneElses = (name: string, status = 'ACTIVE'): FargateProfile => ({ fargateProfileName: name, status: status as FargateProfile['status'], tags: { owner: 'another-team' } });
const r = (n: number) => fargateProfileName(ref, n);

describe('eks-fargate: the create request', () => {
  test('the reference sample: the fixed name, its role, subnets, both shorthand selectors and its tags', () => {
    const sample = loadManifest(REFERENCE_SAMPLES.eksFargate);
    const s = normalizeSpec(sample.spec) as EksFargateSpec;
    const sampleRef = { clusterName: 'the-cluster-for-my-pods', namespace: 'default', name: 'hello-world' };
    const decision = planApply({ ref: sampleRef, spec: s, podExecutionRoleArn: s.podExecutionRoleArn! }, [], ctx);
    expect(decision).toMatchObject({ action: 'create', profileName: 'my-unique-profile-name', waitFor: 'active' });
    expect(decision.create).toMatchObject({
      clusterName: 'the-cluster-for-my-pods',
      fargateProfileName: 'my-unique-profile-name',
      podExecutionRoleArn: 'arn:aws:iam::123456789012:role/MyPodRole',
      subnets: ['subnet-1a2b3c4d', 'subnet-4d3c2b1a', 'subnet-0w9x8y7z'],
      selectors: [
        { namespace: 'namespace1', labels: { key1: 'value1', key2: 'value2' } },
        { namespace: 'namespace2', labels: { key1: 'value1', key2: 'value2' } },
      ],
      tags: { key1: 'value1', key2: 'value2', ...ownershipTags(sampleRef) },
    });
  });

  test('without a name, the derived one; a selector without labels sends none', () => {
    const decision = planApply(desired(), [], ctx);
    expect(decision.profileName).toBe(r(0));
    expect(decision.create!.selectors).toEqual([{ namespace: 'web', labels: { app: 'web' } }, { namespace: 'jobs' }]);
  });
});

describe('eks-fargate: what changed', () => {
  test('an unchanged spec leaves the profile alone, whatever the order of selectors and subnets', () => {
    const current = profile(desired(), r(0), { subnets: ['subnet-b', 'subnet-a'], selectors: [{ namespace: 'jobs' }, { namespace: 'web', labels: { app: 'web' } }] });
    const decision = planApply(desired(), [current], ctx);
    expect(decision).toMatchObject({ action: 'none', profileName: r(0), observed: { fargateProfileName: r(0), podExecutionRoleArn: ROLE } });
  });

  test('selectors, subnets and role are what AWS cannot change; tags are not among them', () => {
    const current = profile(desired(), r(0));
    expect(profileChanges(desired({ tags: { team: 'b' } }), current)).toEqual([]);
    expect(profileChanges(desired({ selectors: [{ namespace: 'web', labels: { app: 'api' } }] }), current)).toEqual([
      { field: 'selectors', from: 'web {app=web}; jobs', to: 'web {app=api}' },
    ]);
    expect(profileChanges(desired({ subnets: ['subnet-c'] }), current).map((c) => c.field)).toEqual(['subnets']);
    expect(profileChanges(desired({}, 'arn:aws:iam::123456789012:role/Other'), current).map((c) => c.field)).toEqual(['podExecutionRoleArn']);
  });

  test('a tag change is made in place', () => {
    const current = profile(desired(), r(0));
    const decision = planApply(desired({ tags: { env: 'prod' } }), [current], ctx);
    expect(decision).toMatchObject({ action: 'update-tags', profileName: r(0), updateTags: { resourceArn: current.fargateProfileArn, tag: { env: 'prod' }, untag: ['team'] } });
  });
});

describe('eks-fargate: replacing a profile', () => {
  const changed = desired({ selectors: [{ namespace: 'web', labels: { app: 'api' } }] });

  test('derived name: the new profile is created first, the old one deleted once the new one is active', () => {
    const old = profile(desired(), r(0));
    const first = planApply(changed, [old], ctx);
    expect(first).toMatchObject({ action: 'create', profileName: r(1) });
    expect(first.summary).toBe(`Creating Fargate profile ${r(1)} to replace ${r(0)} (AWS cannot change a profile): selectors (web {app=web}; jobs → web {app=api})`);

    const fresh = profile(changed, r(1), { status: 'CREATING' });
    expect(planApply(changed, [old, fresh], ctx)).toMatchObject({ action: 'wait', profileName: r(1), waitFor: 'active' });
    fresh.status = 'ACTIVE';
    expect(planApply(changed, [old, fresh], ctx)).toMatchObject({ action: 'delete', profileName: r(0), waitFor: 'gone', done: `Deleted Fargate profile ${r(0)}, replaced by ${r(1)}` });
    expect(planApply(changed, [fresh], ctx)).toMatchObject({ action: 'none', profileName: r(1) });
  });

  test('fixed name: the old profile must go first, then the same name is created again', () => {
    const fixed = { profileName: 'my-unique-profile-name' };
    const old = profile(desired(fixed), 'my-unique-profile-name');
    const changedFixed = desired({ ...fixed, subnets: ['subnet-c'] });
    const first = planApply(changedFixed, [old], ctx);
    expect(first).toMatchObject({ action: 'delete', profileName: 'my-unique-profile-name', waitFor: 'gone' });
    expect(first.done).toBe(
      'Deleted Fargate profile my-unique-profile-name to create it again with the new spec (AWS cannot change a profile): subnets (subnet-a, subnet-b → subnet-c)',
    );
    expect(planApply(changedFixed, [{ ...old, status: 'DELETING' }], ctx)).toMatchObject({ action: 'wait', waitFor: 'gone' });
    expect(planApply(changedFixed, [], ctx)).toMatchObject({ action: 'create', profileName: 'my-unique-profile-name' });
  });

  test('renaming a fixed profile creates the new name first and deletes the old name after', () => {
    const old = profile(desired({ profileName: 'first' }), 'first');
    expect(planApply(desired({ profileName: 'second' }), [old], ctx)).toMatchObject({ action: 'create', profileName: 'second' });
    const second = profile(desired({ profileName: 'second' }), 'second');
    expect(planApply(desired({ profileName: 'second' }), [old, second], ctx)).toMatchObject({ action: 'delete', profileName: 'first' });
  });

  test('a profile EKS failed to create is deleted and created again; one it failed to delete stops with its reason', () => {
    const failed = profile(desired(), r(0), { status: 'CREATE_FAILED', health: { issues: [{ code: 'PodExecutionRoleAlreadyInUse', message: 'role in use' }] } });
    expect(planApply(desired(), [failed], ctx)).toMatchObject({ action: 'delete', profileName: r(0) });
    const stuck = profile(desired(), r(0), { status: 'DELETE_FAILED', health: { issues: [{ code: 'InternalFailure', message: 'try later' }] } });
    expect(() => planApply(changed, [stuck], ctx)).toThrow(ProvisioningFailedError);
    expect(() => planApply(changed, [stuck], ctx)).toThrow('InternalFailure: try later');
  });
});

describe('eks-fargate: one profile operation per cluster', () => {
  test('another group\'s profile CREATING or DELETING makes a create wait (ResourceBusyError names it)', () => {
    const run = () => planApply(desired(), [someoneElses('their-profile', 'CREATING')], ctx);
    expect(run).toThrow(ResourceBusyError);
    expect(run).toThrow('AWS allows one Fargate profile per cluster to be created or deleted at a time, and cluster the-cluster-for-my-pods has their-profile (CREATING)');
  });

  test('... and a delete of a replaced profile too; tag changes do not wait', () => {
    const changed = desired({ subnets: ['subnet-c'] });
    const old = profile(desired(), r(0));
    const fresh = profile(changed, r(1));
    expect(() => planApply(changed, [old, fresh, someoneElses('x', 'DELETING')], ctx)).toThrow(ResourceBusyError);
    expect(planApply(desired({ tags: {} }), [old, someoneElses('x', 'DELETING')], ctx).action).toBe('update-tags');
  });

  test('our own profile in progress is waited for, not retried as busy', () => {
    expect(planApply(desired(), [profile(desired(), r(0), { status: 'CREATING' })], ctx)).toMatchObject({ action: 'wait', profileName: r(0) });
  });

  test('delete: each profile of the group in turn, waiting while any profile of the cluster is in progress', () => {
    const a = profile(desired(), r(0));
    const b = profile(desired(), r(1));
    expect(planDelete(ref, [a, b, someoneElses('x')])).toMatchObject({ action: 'delete', profileName: r(0) });
    expect(() => planDelete(ref, [a, someoneElses('x', 'CREATING')])).toThrow(ResourceBusyError);
    expect(planDelete(ref, [{ ...a, status: 'DELETING' }, b])).toMatchObject({ action: 'wait', profileName: r(0), waitFor: 'gone' });
    expect(planDelete(ref, [someoneElses('x')])).toMatchObject({ action: 'none' });
  });
});

describe('eks-fargate: names', () => {
  test('a fixed name held by a profile instance-manager does not own is a NameConflictError', () => {
    const run = () => planApply(desired({ profileName: 'taken' }), [someoneElses('taken')], ctx);
    expect(run).toThrow(NameConflictError);
    expect(run).toThrow('A Fargate profile named taken already exists in cluster the-cluster-for-my-pods and was not created by instance-manager for this group');
  });

  test('a group never adopts another group\'s profile, even with identical content', () => {
    const other = { ...ref, name: 'api' };
    const theirs = { ...profile(desired(), fargateProfileName(other, 0)), tags: ownershipTags(other) };
    expect(planApply(desired(), [theirs], ctx)).toMatchObject({ action: 'create', profileName: r(0) });
  });
});
