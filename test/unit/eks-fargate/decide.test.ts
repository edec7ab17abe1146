import type { EKSClient, FargateProfile } from '@aws-sdk/client-eks';
import type { InstanceGroupChange } from '../../../core/events/index.js';
import { fargateProfileName, ownershipTags } from '../../../core/names/index.js';
import type { EksFargateSpec, InstanceGroup } from '../../../core/spec/types.js';
import { decideProfile, type DecideInput } from '../../../functions/eks-fargate/decide.js';
import { fakeAccess } from '../eks-managed/fake-access.js';
import { stampTags } from '../../../functions/shared/stamp.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'web' };
const ROLE = 'arn:aws:iam::123456789012:role/MyPodRole';
const spec: EksFargateSpec = { provisioner: 'eks-fargate', clusterName: 'c', subnets: ['subnet-a'], selectors: [{ namespace: 'web', labels: {} }], tags: {} };

function input(over: Partial<DecideInput> = {}, recorded: DecideInput['group']['recorded'] = {}, s: EksFargateSpec = spec): DecideInput {
  const change = {
    version: 1,
    cluster: { name: 'c', defaults: {} },
    group: { namespace: 'team-a', name: 'web', uid: 'uid-1', generation: 1, resourceVersion: '1' },
    provisioner: 'eks-fargate',
    operation: 'delete',
    attempt: 1,
  } as unknown as InstanceGroupChange;
  return {
    change,
    execution: { arn: 'arn:exec', name: 'run' },
    group: { outcome: 'current', latestGeneration: 1, ref, spec: s, recorded },
    role: { podExecutionRoleArn: ROLE, ours: false, created: false },
    plan: { action: 'start', pass: 0, history: [] },
    purpose: 'delete',
    maxPasses: 5,
    ...over,
  };
}

function eksWith(profiles: FargateProfile[]) {
  return stubClient<EKSClient>({
    ListFargateProfiles: () => ({ fargateProfileNames: profiles.map((p) => p.fargateProfileName) }),
    DescribeFargateProfile: (i) => ({ fargateProfile: profiles.find((p) => p.fargateProfileName === i.fargateProfileName) }),
  });
}

const access = fakeAccess({});

describe('eks-fargate: a delete that finds nothing to delete says so (the README promises an error code)', () => {
  test('ProfileNotFound: status recorded a profile that no longer exists', async () => {
    const { client } = eksWith([]);
    const plan = await decideProfile(input({}, { fargateProfileName: 'gone-profile' }), { eks: client, access });
    expect(plan).toMatchObject({ action: 'none', notFound: { reason: 'ProfileNotFound' } });
    expect(plan.notFound!.message).toBe(
      'Fargate profile gone-profile does not exist in cluster c (deleted outside instance-manager, or never created); nothing to delete. The object is released.',
    );
  });

  test('ProfileNotOwned: the named profile exists but is not ours, and it is left alone', async () => {
    const { client, calls } = eksWith([{ fargateProfileName: 'taken', status: 'ACTIVE', tags: {} }]);
    const plan = await decideProfile(input({}, {}, { ...spec, profileName: 'taken' }), { eks: client, access });
    expect(plan).toMatchObject({ action: 'none', notFound: { reason: 'ProfileNotOwned' } });
    expect(calls.map((c) => c.command)).not.toContain('DeleteFargateProfile');
  });

  test('ClusterNotFound: the cluster itself is gone', async () => {
    const { client } = stubClient<EKSClient>({
      ListFargateProfiles: () => {
        throw awsError('ResourceNotFoundException', 'No cluster found', 404);
      },
    });
    const plan = await decideProfile(input({}, { fargateProfileName: 'p' }), { eks: client, access });
    expect(plan).toMatchObject({ action: 'none', notFound: { reason: 'ClusterNotFound' } });
  });

  test('nothing is reported for a group that never had a profile, or once its profiles were deleted by this execution', async () => {
    const { client } = eksWith([]);
    expect((await decideProfile(input(), { eks: client, access })).notFound).toBeUndefined();
    const later = input({ plan: { action: 'delete', pass: 2, history: ['Deleted Fargate profile p'] } }, { fargateProfileName: 'p' });
    expect((await decideProfile(later, { eks: client, access })).notFound).toBeUndefined();
  });

  test('profiles of the group are deleted', async () => {
    const name = fargateProfileName(ref, 0);
    const { client } = eksWith([{ fargateProfileName: name, status: 'ACTIVE', tags: ownershipTags(ref) }]);
    expect(await decideProfile(input({}, { fargateProfileName: name }), { eks: client, access })).toMatchObject({ action: 'delete', profileName: name });
  });
});

describe('eks-fargate: an unchanged spec', () => {
  test('is Ready with a message that says nothing changed', async () => {
    const name = fargateProfileName(ref, 0);
    const profile: FargateProfile = {
      fargateProfileName: name,
      status: 'ACTIVE',
      podExecutionRoleArn: ROLE,
      subnets: ['subnet-a'],
      selectors: [{ namespace: 'web' }],
      // created by this execution (uid-1, generation 1), whose stamp it carries
      tags: { ...ownershipTags(ref), ...stampTags({ uid: 'uid-1', generation: 1 }) },
    };
    const { client, calls } = eksWith([profile]);
    const object = {
      apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
      kind: 'InstanceGroup',
      metadata: { name: 'web', namespace: 'team-a', uid: 'uid-1', generation: 1, resourceVersion: '1' },
      spec: {},
    } as unknown as InstanceGroup;
    const plan = await decideProfile(input({ purpose: 'apply' }), { eks: client, access: fakeAccess({ object }) });
    expect(plan.report).toEqual({
      phase: 'ready',
      observed: { fargateProfileName: name, podExecutionRoleArn: ROLE },
      message: `Fargate profile ${name} matches the spec; nothing to change (AWS cannot change a profile, so an unchanged spec leaves it alone).`,
    });
    expect(calls.map((c) => c.command).filter((c) => !c.startsWith('List') && !c.startsWith('Describe'))).toEqual([]);
  });
});
