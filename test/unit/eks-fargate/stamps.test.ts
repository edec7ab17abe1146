// Issue 14, defects 1 and 3 for eks-fargate: profiles carry the owner uid and the generation that last wrote them
// (functions/shared/stamp.ts). AWS cannot change a profile, so a changed spec deletes and re-creates it: an older
// execution must neither delete nor re-create over a newer one's profile, and a stale delete must leave the profile
// of a group recreated under the same name alone. On a stubbed client; test/integration/eks-stamps.test.ts runs
// the same against moto.
import type { EKSClient, FargateProfile } from '@aws-sdk/client-eks';
import { NoLongerWantedError } from '../../../core/errors/index.js';
import { fargateProfileName, ownershipTags } from '../../../core/names/index.js';
import type { EksFargateSpec } from '../../../core/spec/types.js';
import { decideProfile, type DecideInput } from '../../../functions/eks-fargate/decide.js';
import { createRequest, planApply, planDelete, type DesiredProfile } from '../../../functions/eks-fargate/plan.js';
import { createProfile, deleteProfile, tagProfile } from '../../../functions/eks-fargate/profiles.js';
import { STAMP_TAGS, stampTags, type Stamp } from '../../../functions/shared/stamp.js';
import { fakeAccess } from '../eks-managed/fake-access.js';
import { stubClient } from '../eks-managed/stub-eks.js';
import { decideInput, groupObject, type Purpose } from '../../support/eks-decide.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'web' };
const ROLE = 'arn:aws:iam::123456789012:role/MyPodRole';
const FIXED = 'web-pods';
const spec: EksFargateSpec = { provisioner: 'eks-fargate', clusterName: 'c', subnets: ['subnet-a'], selectors: [{ namespace: 'web', labels: {} }], tags: {} };
const gen = (generation: number, uid = 'uid-1'): Stamp => ({ uid, generation });
const desired = (stamp: Stamp, over: Partial<EksFargateSpec> = {}): DesiredProfile => ({ ref, spec: { ...spec, ...over }, podExecutionRoleArn: ROLE, stamp });

/** A profile as the create of `stamp`'s execution left it. */
function created(stamp: Stamp | undefined, over: Partial<EksFargateSpec> = {}, name = fargateProfileName(ref, 0)): FargateProfile {
  const req = createRequest({ ref, spec: { ...spec, ...over }, podExecutionRoleArn: ROLE, ...(stamp ? { stamp } : {}) }, name, 'k');
  return { ...req, fargateProfileArn: `arn:aws:eks:us-east-1:1:fargateprofile/c/${name}/u`, status: 'ACTIVE' } as FargateProfile;
}

describe('eks-fargate stamps: what the plan decides', () => {
  test('a created profile carries the owner uid and the generation', () => {
    expect(createRequest(desired(gen(3)), 'p', 'k').tags).toMatchObject({ [STAMP_TAGS.ownerUid]: 'uid-1', [STAMP_TAGS.generation]: '3' });
  });

  test('an older generation neither deletes nor re-creates over a newer one\'s profile (a fixed name: delete first)', () => {
    const newer = created(gen(5), { profileName: FIXED, selectors: [{ namespace: 'api', labels: {} }] }, FIXED);
    // Without stamps this would be "delete web-pods to create it again with the older selectors".
    expect(() => planApply(desired(gen(4), { profileName: FIXED }), [newer], { idempotencyKey: 'k' })).toThrow(NoLongerWantedError);
    // Derived names: gen 5 replaced revision 0 with revision 1; gen 4 wants revision 0's spec back.
    const replacement = created(gen(5), { selectors: [{ namespace: 'api', labels: {} }] }, fargateProfileName(ref, 1));
    expect(() => planApply(desired(gen(4)), [replacement], { idempotencyKey: 'k' })).toThrow(NoLongerWantedError);
  });

  test('a newer generation with nothing else to change moves the stamp, without a word in the Ready message', () => {
    const decision = planApply(desired(gen(2)), [created(gen(1))], { idempotencyKey: 'k' });
    expect(decision).toMatchObject({ action: 'update-tags', summary: expect.stringContaining('Stamping Fargate profile') });
    expect(decision.updateTags?.tag).toEqual(stampTags(gen(2)));
    expect(decision.done).toBeUndefined();
    expect(planApply(desired(gen(2)), [created(gen(2))], { idempotencyKey: 'k' }).action).toBe('none');
  });

  test('a user tag change writes the stamp along and never untags it', () => {
    const decision = planApply(desired(gen(2), { tags: { env: 'prod' } }), [created(gen(1))], { idempotencyKey: 'k' });
    expect(decision.updateTags).toMatchObject({ tag: { env: 'prod', ...stampTags(gen(2)) }, untag: [] });
  });

  test('a delete leaves alone a profile another owner stamped; its own and unstamped ones go', () => {
    expect(planDelete(ref, [created(gen(1, 'uid-new'))], 'uid-1')).toMatchObject({ action: 'none', summary: expect.stringContaining('recreated under the same name') });
    expect(planDelete(ref, [created(gen(2))], 'uid-1')).toMatchObject({ action: 'delete' });
    expect(planDelete(ref, [created(undefined)], 'uid-1')).toMatchObject({ action: 'delete' });
  });
});

describe('eks-fargate stamps: each write reads the stamp right before it', () => {
  const name = fargateProfileName(ref, 0);

  test('an older execution\'s create is refused when a newer one already wrote a profile of the group', async () => {
    const { client, calls } = stubClient<EKSClient>({
      ListFargateProfiles: () => ({ fargateProfileNames: [name] }),
      DescribeFargateProfile: () => ({ fargateProfile: created(gen(5)) }),
    });
    const decision = { action: 'create' as const, profileName: 'p1', summary: '', create: createRequest(desired(gen(4)), 'p1', 'k') };
    await expect(createProfile(client, ref, decision, { roleJustCreated: false, stamp: gen(4) })).rejects.toThrow(NoLongerWantedError);
    expect(calls.map((c) => c.command)).not.toContain('CreateFargateProfile');
  });

  test('an apply does not delete a profile a newer generation wrote', async () => {
    const { client, calls } = stubClient<EKSClient>({ DescribeFargateProfile: () => ({ fargateProfile: created(gen(5)) }) });
    await expect(deleteProfile(client, 'c', name, { stamp: gen(4), operation: 'apply' })).rejects.toThrow(NoLongerWantedError);
    expect(calls.map((c) => c.command)).toEqual(['DescribeFargateProfile']);
  });

  test('uid mismatch: a stale delete leaves the recreated group\'s profile alone', async () => {
    const { client, calls } = stubClient<EKSClient>({ DescribeFargateProfile: () => ({ fargateProfile: created(gen(1, 'uid-new')) }) });
    expect(await deleteProfile(client, 'c', name, { stamp: gen(3), operation: 'delete' })).toMatchObject({ status: 'OWNED_BY_ANOTHER_GROUP', settled: true });
    expect(calls.map((c) => c.command)).toEqual(['DescribeFargateProfile']);
  });

  test('a retag is refused over a newer generation; otherwise the stamp moves with it', async () => {
    const newer = stubClient<EKSClient>({ DescribeFargateProfile: () => ({ fargateProfile: created(gen(5)) }) });
    const decision = { action: 'update-tags' as const, profileName: name, summary: '', updateTags: { resourceArn: 'arn:p', tag: { env: 'prod' }, untag: [] } };
    await expect(tagProfile(newer.client, 'c', decision, gen(4))).rejects.toThrow(NoLongerWantedError);
    expect(newer.calls.map((c) => c.command)).toEqual(['DescribeFargateProfile']);

    const older = stubClient<EKSClient>({ DescribeFargateProfile: () => ({ fargateProfile: created(gen(3)) }), TagResource: () => ({}) });
    await tagProfile(older.client, 'c', decision, gen(4));
    expect(older.calls.filter((c) => c.command === 'TagResource').map((c) => c.input.tags)).toEqual([{ env: 'prod' }, stampTags(gen(4))]);
  });
});

describe('eks-fargate stamps: Decide Next Change', () => {
  const object = (generation: number, uid = 'uid-1') => groupObject(ref, { provisioner: 'eks-fargate' }, generation, uid);
  const input = (purpose: Purpose, generation: number): DecideInput =>
    decideInput(ref, 'eks-fargate', purpose, generation, { spec, role: { podExecutionRoleArn: ROLE, ours: false, created: false } });
  const eksWith = (profiles: FargateProfile[]) =>
    stubClient<EKSClient>({
      ListFargateProfiles: () => ({ fargateProfileNames: profiles.map((p) => p.fargateProfileName) }),
      DescribeFargateProfile: (i) => ({ fargateProfile: profiles.find((p) => p.fargateProfileName === i.fargateProfileName) }),
    });

  test('AWS holding a newer generation\'s profile stops the apply as superseded', async () => {
    const { client } = eksWith([created(gen(5), { selectors: [{ namespace: 'api', labels: {} }] })]);
    const plan = await decideProfile(input('apply', 4), { eks: client, access: fakeAccess({ object: object(4) }) });
    expect(plan).toMatchObject({ action: 'superseded', latestGeneration: 5 });
  });

  test('another group\'s stamps do not count: a profile of the same cluster with someone else\'s tags is ignored', async () => {
    const foreign = { ...created(gen(9)), fargateProfileName: 'other', tags: { ...stampTags(gen(9)), team: 'x' } };
    const { client } = eksWith([created(gen(4)), foreign]);
    expect((await decideProfile(input('apply', 4), { eks: client, access: fakeAccess({ object: object(4) }) })).action).toBe('none');
  });

  test('a stale delete finds the recreated group\'s profile and leaves it', async () => {
    const { client } = eksWith([{ ...created(gen(1, 'uid-new')), tags: { ...ownershipTags(ref), ...stampTags(gen(1, 'uid-new')) } }]);
    const plan = await decideProfile(input('delete', 3), { eks: client, access: fakeAccess({ object: object(1, 'uid-new') }) });
    expect(plan).toMatchObject({ action: 'none', summary: expect.stringContaining('recreated under the same name') });
  });
});
