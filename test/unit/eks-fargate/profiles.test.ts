// The EKS calls moto cannot answer (tags on a profile, CREATING / DELETING / *_FAILED states, busy answers), on a
// stubbed client.
import type { EKSClient, FargateProfile } from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, ResourceBusyError, RetryableError } from '../../../core/errors/index.js';
import { ownershipTags } from '../../../core/names/index.js';
import type { ProfileDecision } from '../../../functions/eks-fargate/plan.js';
import { checkProfile, clusterProfiles, createProfile, deleteProfile, tagProfile } from '../../../functions/eks-fargate/profiles.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'web' };
const p = (over: Partial<FargateProfile> = {}): FargateProfile => ({ fargateProfileName: 'p', status: 'ACTIVE', tags: ownershipTags(ref), ...over });
const createDecision: ProfileDecision = {
  action: 'create',
  profileName: 'p',
  summary: '',
  create: { clusterName: 'c', fargateProfileName: 'p', podExecutionRoleArn: 'arn:aws:iam::1:role/r', selectors: [{ namespace: 'web' }] },
};

describe('eks-fargate: EKS calls on a stubbed client', () => {
  test('tags (moto tags clusters only): TagResource and UntagResource on the profile ARN', async () => {
    const { client, calls } = stubClient<EKSClient>({ TagResource: () => ({}), UntagResource: () => ({}), DescribeFargateProfile: () => ({ fargateProfile: p() }) });
    const progress = await tagProfile(client, 'c', { action: 'update-tags', profileName: 'p', summary: '', updateTags: { resourceArn: 'arn:p', tag: { env: 'prod' }, untag: ['team'] } });
    expect(calls.slice(0, 2)).toEqual([
      { command: 'TagResource', input: { resourceArn: 'arn:p', tags: { env: 'prod' } } },
      { command: 'UntagResource', input: { resourceArn: 'arn:p', tagKeys: ['team'] } },
    ]);
    expect(progress.settled).toBe(true);
  });

  test('another profile of the cluster in progress: EKS\'s ResourceInUseException becomes ResourceBusyError, retried', async () => {
    const { client } = stubClient<EKSClient>({
      CreateFargateProfile: () => {
        throw awsError('ResourceInUseException', 'Cannot create Fargate Profile p because cluster c currently has Fargate profile q in status CREATING', 409);
      },
    });
    await expect(createProfile(client, ref, createDecision, { roleJustCreated: false })).rejects.toThrow(ResourceBusyError);
  });

  test('create under a name that exists: ours is adopted, someone else\'s is a NameConflictError', async () => {
    const exists = () => {
      throw awsError('ResourceInUseException', 'A Fargate Profile already exists with this name in this cluster.', 409);
    };
    const ours = stubClient<EKSClient>({ CreateFargateProfile: exists, DescribeFargateProfile: () => ({ fargateProfile: p({ status: 'CREATING' }) }) });
    expect(await createProfile(ours.client, ref, createDecision, { roleJustCreated: false })).toMatchObject({ settled: false, status: 'CREATING' });
    const theirs = stubClient<EKSClient>({ CreateFargateProfile: exists, DescribeFargateProfile: () => ({ fargateProfile: p({ tags: {} }) }) });
    await expect(createProfile(theirs.client, ref, createDecision, { roleJustCreated: false })).rejects.toThrow(NameConflictError);
  });

  test('a pod execution role created moments ago that EKS does not accept yet is retried', async () => {
    const { client } = stubClient<EKSClient>({
      CreateFargateProfile: () => {
        throw awsError('InvalidParameterException', 'Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal');
      },
    });
    await expect(createProfile(client, ref, createDecision, { roleJustCreated: true })).rejects.toThrow(RetryableError);
  });

  test('progress: CREATING waits, CREATE_FAILED fails with EKS\'s health issues; DELETING waits, gone is done', async () => {
    const state = { profile: p({ status: 'CREATING' }) as FargateProfile | undefined };
    const { client } = stubClient<EKSClient>({
      DescribeFargateProfile: () => {
        if (!state.profile) throw awsError('ResourceNotFoundException', 'No Fargate Profile found with name: p.', 404);
        return { fargateProfile: state.profile };
      },
    });
    expect(await checkProfile(client, 'c', 'p', 'active', 1, 10)).toMatchObject({ settled: false, status: 'CREATING' });
    state.profile = p({ status: 'CREATE_FAILED', health: { issues: [{ code: 'PodExecutionRoleAlreadyInUse', message: 'used by another profile' }] } });
    await expect(checkProfile(client, 'c', 'p', 'active', 2, 10)).rejects.toThrow(ProvisioningFailedError);
    await expect(checkProfile(client, 'c', 'p', 'active', 2, 10)).rejects.toThrow('PodExecutionRoleAlreadyInUse: used by another profile');
    state.profile = p({ status: 'DELETING' });
    expect(await checkProfile(client, 'c', 'p', 'gone', 1, 10)).toMatchObject({ settled: false });
    state.profile = undefined;
    expect(await checkProfile(client, 'c', 'p', 'gone', 2, 10)).toMatchObject({ settled: true, status: 'GONE' });
  });

  test('reading the cluster: every profile described across pages; a missing cluster is reported, not thrown', async () => {
    const { client } = stubClient<EKSClient>({
      ListFargateProfiles: (input) => (input.nextToken ? { fargateProfileNames: ['b'] } : { fargateProfileNames: ['a'], nextToken: 'b' }),
      DescribeFargateProfile: (input) => ({ fargateProfile: p({ fargateProfileName: String(input.fargateProfileName) }) }),
    });
    expect((await clusterProfiles(client, 'c')).profiles.map((x) => x.fargateProfileName)).toEqual(['a', 'b']);
    const missing = stubClient<EKSClient>({
      ListFargateProfiles: () => {
        throw awsError('ResourceNotFoundException', 'No cluster found for name: c.', 404);
      },
    });
    expect(await clusterProfiles(missing.client, 'c')).toEqual({ profiles: [], clusterMissing: true });
  });

  test('delete: a profile already gone is done', async () => {
    const { client } = stubClient<EKSClient>({
      DeleteFargateProfile: () => {
        throw awsError('ResourceNotFoundException', 'No Fargate Profile found with name: p.', 404);
      },
    });
    expect(await deleteProfile(client, 'c', 'p')).toMatchObject({ settled: true, status: 'GONE' });
  });
});
