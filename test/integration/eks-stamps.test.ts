// Issue 14, defects 1 (lost update) and 3 (uid mismatch) for eks-managed and eks-fargate, against moto: node groups,
// Fargate profiles and roles carry the owner uid and generation that last wrote them (functions/shared/stamp.ts).
// The executions' EKS operations run as the steps run them (functions/eks-*/nodegroups.ts, profiles.ts), in the
// order the race produces: a newer generation finishes first, then the older one's retry lands. moto stores tags
// on node groups and profiles through the emulated TagResource of local/testbed/moto-server.py.
import { CreateClusterCommand, DescribeFargateProfileCommand, DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { NoLongerWantedError } from '../../core/errors/index.js';
import { fargateProfileName, nodeGroupName, roleName, type GroupRef } from '../../core/names/index.js';
import type { EksFargateSpec, EksManagedSpec } from '../../core/spec/types.js';
import { clusterProfiles, createProfile, deleteProfile, planProfiles, tagProfile } from '../../functions/eks-fargate/profiles.js';
import type { DesiredProfile } from '../../functions/eks-fargate/plan.js';
import { ensureNodeRole } from '../../functions/eks-managed/node-role.js';
import { createNodeGroup, deleteNodeGroup, findNodeGroups, planNodeGroups, updateNodeGroup } from '../../functions/eks-managed/nodegroups.js';
import type { DesiredNodeGroup, NodeGroupDecision } from '../../functions/eks-managed/plan.js';
import { readStamp, type Stamp } from '../../functions/shared/stamp.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { eksManagedSpec } from '../support/eks-managed-spec.js';

const REGION = 'us-east-1';
const CLUSTER = 'stamps';
const ACCOUNT_ROLE = 'arn:aws:iam::123456789012:role/cluster';
const NODE_ROLE = 'arn:aws:iam::123456789012:role/nodes';
const POD_ROLE = 'arn:aws:iam::123456789012:role/pods';

let bed: TestBed;
let eks: EKSClient;
let iam: IAMClient;

beforeAll(async () => {
  bed = await startTestBed({ kube: false });
  const config = { region: REGION, endpoint: bed.moto!.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  eks = new EKSClient(config);
  iam = new IAMClient(config);
  await eks.send(new CreateClusterCommand({ name: CLUSTER, roleArn: ACCOUNT_ROLE, resourcesVpcConfig: { subnetIds: ['subnet-a'] } }));
}, 120_000);

afterAll(async () => {
  eks?.destroy();
  iam?.destroy();
  await bed?.stop();
});

const gen = (generation: number, uid: string): Stamp => ({ uid, generation });
const refOf = (name: string): GroupRef => ({ clusterName: CLUSTER, namespace: 'team-a', name });

const managedSpec = (over: Partial<EksManagedSpec> = {}): EksManagedSpec => eksManagedSpec({ clusterName: CLUSTER, ...over });

/** What an execution of `stamp` decides for its spec, from what AWS holds now (Decide Next Change). */
async function decideManaged(ref: GroupRef, spec: EksManagedSpec, stamp: Stamp): Promise<NodeGroupDecision> {
  const desired: DesiredNodeGroup = { ref, spec, nodeRoleArn: NODE_ROLE, stamp };
  return planNodeGroups({ purpose: 'apply', desired, idempotencyKey: `exec-${stamp.uid}-${stamp.generation}` }, await findNodeGroups(eks, ref));
}

async function nodeGroup(ref: GroupRef) {
  return (await eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: nodeGroupName(ref, 0) }))).nodegroup!;
}

describe('eks-managed on moto', () => {
  test('Lost update: an older generation\'s update retried after a newer one is done is refused; the node group keeps the newer spec', async () => {
    const ref = refOf('lost-update');
    const first = await decideManaged(ref, managedSpec(), gen(1, 'uid-1'));
    expect(first.action).toBe('create');
    await createNodeGroup(eks, ref, first, { roleJustCreated: false, stamp: gen(1, 'uid-1') });
    expect(readStamp((await nodeGroup(ref)).tags ?? {})).toEqual(gen(1, 'uid-1'));

    // Generation 2 decides (max 4), and its UpdateNodegroupConfig is held up (EKS busy, retried by the state machine).
    const older = await decideManaged(ref, managedSpec({ maxSize: 4 }), gen(2, 'uid-1'));
    expect(older.action).toBe('update-config');
    // Generation 3 (max 5) decides and updates meanwhile; its stamp moves with it.
    const newer = await decideManaged(ref, managedSpec({ maxSize: 5 }), gen(3, 'uid-1'));
    await updateNodeGroup(eks, CLUSTER, newer, gen(3, 'uid-1'));
    expect(readStamp((await nodeGroup(ref)).tags ?? {})).toEqual(gen(3, 'uid-1'));
    expect(await decideManaged(ref, managedSpec({ maxSize: 5 }), gen(3, 'uid-1'))).toMatchObject({ action: 'none' });

    // Generation 2's retry lands after generation 3 is Ready: refused, and AWS keeps generation 3's spec.
    await expect(updateNodeGroup(eks, CLUSTER, older, gen(2, 'uid-1'))).rejects.toThrow(NoLongerWantedError);
    const after = await nodeGroup(ref);
    expect(after.scalingConfig).toMatchObject({ maxSize: 5 });
    expect(readStamp(after.tags ?? {})).toEqual(gen(3, 'uid-1'));
    // Deciding again, generation 2 is refused as well: it never goes backwards.
    await expect(decideManaged(ref, managedSpec({ maxSize: 4 }), gen(2, 'uid-1'))).rejects.toThrow(NoLongerWantedError);
  });

  test('uid mismatch: a stale delete of the old group leaves the node group of the group recreated under the same name', async () => {
    const ref = refOf('recreated');
    // The group was deleted and created again under the same name (new uid); the new one's node group exists.
    const create = await decideManaged(ref, managedSpec(), gen(1, 'uid-new'));
    await createNodeGroup(eks, ref, create, { roleJustCreated: false, stamp: gen(1, 'uid-new') });

    // The old group's delete, replayed late: its plan finds nothing of its own, and its delete call leaves it too.
    const found = await findNodeGroups(eks, ref);
    expect(planNodeGroups({ purpose: 'delete', ref, ownerUid: 'uid-old' }, found)).toMatchObject({ action: 'none' });
    const stale = await deleteNodeGroup(eks, CLUSTER, nodeGroupName(ref, 0), { stamp: gen(4, 'uid-old'), operation: 'delete' });
    expect(stale).toMatchObject({ status: 'OWNED_BY_ANOTHER_GROUP', settled: true });
    expect((await nodeGroup(ref)).status).toBe('ACTIVE');

    // The new group's own delete does remove it.
    expect(planNodeGroups({ purpose: 'delete', ref, ownerUid: 'uid-new' }, found)).toMatchObject({ action: 'delete' });
    await deleteNodeGroup(eks, CLUSTER, nodeGroupName(ref, 0), { stamp: gen(1, 'uid-new'), operation: 'delete' });
    expect((await findNodeGroups(eks, ref)).owned).toEqual([]);
  });

  test('the node role of a recreated group is restamped for it, so the old group\'s delete leaves it', async () => {
    const ref = refOf('role');
    await ensureNodeRole(iam, ref, managedSpec(), REGION, gen(1, 'uid-old'));
    await ensureNodeRole(iam, ref, managedSpec(), REGION, gen(1, 'uid-new'));
    const tags = (await iam.send(new ListRoleTagsCommand({ RoleName: roleName(ref, 'nodes') }))).Tags ?? [];
    expect(readStamp(tags)).toEqual(gen(1, 'uid-new'));
  });
});

const fargateSpec = (over: Partial<EksFargateSpec> = {}): EksFargateSpec => ({
  provisioner: 'eks-fargate',
  clusterName: CLUSTER,
  subnets: ['subnet-a'],
  selectors: [{ namespace: 'web', labels: {} }],
  tags: {},
  ...over,
});

async function decideFargate(ref: GroupRef, spec: EksFargateSpec, stamp: Stamp) {
  const desired: DesiredProfile = { ref, spec, podExecutionRoleArn: POD_ROLE, stamp };
  return planProfiles({ purpose: 'apply', desired, idempotencyKey: `exec-${stamp.uid}-${stamp.generation}` }, await clusterProfiles(eks, CLUSTER));
}

const describeProfile = async (name: string) =>
  (await eks.send(new DescribeFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: name }))).fargateProfile!;

describe('eks-fargate on moto', () => {
  test('Lost update: an older generation cannot delete and re-create over the profile a newer one re-created', async () => {
    const ref = refOf('fixed-name');
    const name = 'web-pods';
    const v1 = fargateSpec({ profileName: name });
    const first = await decideFargate(ref, v1, gen(1, 'uid-1'));
    await createProfile(eks, ref, first, { roleJustCreated: false, stamp: gen(1, 'uid-1') });

    // Generation 2 (selectors api) decides to delete the fixed-name profile to re-create it, and is held up.
    const older = await decideFargate(ref, { ...v1, selectors: [{ namespace: 'api', labels: {} }] }, gen(2, 'uid-1'));
    expect(older).toMatchObject({ action: 'delete', profileName: name });
    // Generation 3 (selectors jobs) deletes and re-creates it meanwhile.
    const v3 = { ...v1, selectors: [{ namespace: 'jobs', labels: {} }] };
    const del = await decideFargate(ref, v3, gen(3, 'uid-1'));
    await deleteProfile(eks, CLUSTER, del.profileName!, { stamp: gen(3, 'uid-1'), operation: 'apply' });
    await createProfile(eks, ref, await decideFargate(ref, v3, gen(3, 'uid-1')), { roleJustCreated: false, stamp: gen(3, 'uid-1') });
    expect(await decideFargate(ref, v3, gen(3, 'uid-1'))).toMatchObject({ action: 'none' });

    // Generation 2's delete lands now: refused, and so would its create be; generation 3's profile stays.
    await expect(deleteProfile(eks, CLUSTER, name, { stamp: gen(2, 'uid-1'), operation: 'apply' })).rejects.toThrow(NoLongerWantedError);
    await expect(decideFargate(ref, { ...v1, selectors: [{ namespace: 'api', labels: {} }] }, gen(2, 'uid-1'))).rejects.toThrow(NoLongerWantedError);
    const kept = await describeProfile(name);
    expect(kept.selectors).toEqual([{ namespace: 'jobs' }]);
    expect(readStamp(kept.tags ?? {})).toEqual(gen(3, 'uid-1'));
  });

  test('a newer generation with an unchanged spec moves the stamp (emulated TagResource on the profile)', async () => {
    const ref = refOf('restamp');
    await createProfile(eks, ref, await decideFargate(ref, fargateSpec(), gen(1, 'uid-1')), { roleJustCreated: false, stamp: gen(1, 'uid-1') });
    const restamp = await decideFargate(ref, fargateSpec(), gen(2, 'uid-1'));
    expect(restamp.action).toBe('update-tags');
    await tagProfile(eks, CLUSTER, restamp, gen(2, 'uid-1'));
    expect(readStamp((await describeProfile(fargateProfileName(ref, 0))).tags ?? {})).toEqual(gen(2, 'uid-1'));
    expect(await decideFargate(ref, fargateSpec(), gen(2, 'uid-1'))).toMatchObject({ action: 'none' });
  });

  test('uid mismatch: a stale delete leaves the profile of the group recreated under the same name', async () => {
    const ref = refOf('recreated-fargate');
    await createProfile(eks, ref, await decideFargate(ref, fargateSpec(), gen(1, 'uid-new')), { roleJustCreated: false, stamp: gen(1, 'uid-new') });
    const name = fargateProfileName(ref, 0);
    expect(planProfiles({ purpose: 'delete', ref, ownerUid: 'uid-old' }, await clusterProfiles(eks, CLUSTER))).toMatchObject({ action: 'none' });
    expect(await deleteProfile(eks, CLUSTER, name, { stamp: gen(2, 'uid-old'), operation: 'delete' })).toMatchObject({ status: 'OWNED_BY_ANOTHER_GROUP' });
    expect((await describeProfile(name)).status).toBe('ACTIVE');
  });
});

