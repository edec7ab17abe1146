// eks-fargate apply and delete, end to end on the local control plane: kubectl apply → the relay → moto's
// EventBridge → the rule's queue → the dispatcher → the real ASL with the real handlers. Each test works in its own
// namespace. Nothing of moto's answers is faked; what moto cannot do (tags on a profile, CREATING/DELETING states)
// is covered by the unit tests on a stubbed client, and the one still-CREATING look the wait loop needs comes from
// intercepting our own create step.
import { readFileSync } from 'node:fs';
import { CreateFargateProfileCommand, DeleteFargateProfileCommand, DescribeFargateProfileCommand, ListFargateProfilesCommand, type FargateProfile } from '@aws-sdk/client-eks';
import { GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { fargateProfileName, OWNERSHIP_TAGS, roleName } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { conditionOf, instanceGroup, useControlPlane } from '../support/e2e.js';
import { REFERENCE_SAMPLES } from '../support/fixtures.js';

const REGION = 'us-west-2';
const CLUSTER = 'the-cluster-for-my-pods';
const MY_POD_ROLE = 'arn:aws:iam::123456789012:role/MyPodRole';
const SAMPLE = readFileSync(REFERENCE_SAMPLES.eksFargate, 'utf8');
const bed = useControlPlane({
  interceptable: { 'eks-fargate-apply': ['Read Instance Group', 'Create Pod Execution Role If Needed', 'Create Fargate Profile'] },
});

const refIn = (namespace: string, name = 'web') => ({ clusterName: CLUSTER, namespace, name });

/** The reference sample under another fixed profile name (profile names are per cluster). */
const sampleNamed = (profile: string) => SAMPLE.replace('"my-unique-profile-name"', `"${profile}"`);

async function profiles(): Promise<FargateProfile[]> {
  const names = (await bed.aws.eks.send(new ListFargateProfilesCommand({ clusterName: CLUSTER }))).fargateProfileNames ?? [];
  return Promise.all(names.map(async (n) => (await bed.aws.eks.send(new DescribeFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: n }))).fargateProfile!));
}

const profileNamed = async (name: string) => (await profiles()).find((p) => p.fargateProfileName === name);
const profilesOf = async (namespace: string, name = 'web') =>
  (await profiles()).filter((p) => p.tags?.[OWNERSHIP_TAGS.namespace] === namespace && p.tags?.[OWNERSHIP_TAGS.name] === name);

/** A Fargate spec of our own, on the seeded cluster. */
const fargateSpec = (name: string, fields: Record<string, unknown> = {}): InstanceGroup =>
  instanceGroup(name, {
    provisioner: 'eks-fargate',
    'eks-fargate': {
      clusterName: CLUSTER,
      subnets: bed.account.subnetIds.slice(0, 2),
      selectors: [{ namespace: 'web', labels: { app: 'web' } }],
      ...fields,
    },
  });

describe('eks-fargate on the local control plane', () => {
  test('ReferenceSample: the README sample, created exactly as written, reaches Ready', async () => {
    bed.namespace('default');
    bed.kubectl(['create', '-n', 'default', '-f', REFERENCE_SAMPLES.eksFargate]);
    const group = await bed.settled({ namespace: 'default', name: 'hello-world' });

    expect(group.status).toMatchObject({ currentState: 'Ready', fargateProfileName: 'my-unique-profile-name', podExecutionRoleArn: MY_POD_ROLE, observedGeneration: 1 });
    expect(conditionOf(group)).toMatchObject({ status: 'True', reason: 'Provisioned' });
    expect(conditionOf(group)!.message).toContain('Created Fargate profile my-unique-profile-name');
    expect((await bed.execution(group)).path.at(-1)).toBe('Ready');

    const profile = (await profileNamed('my-unique-profile-name'))!;
    expect(profile.status).toBe('ACTIVE');
    expect(profile.podExecutionRoleArn).toBe(MY_POD_ROLE);
    expect(profile.subnets).toEqual(['subnet-1a2b3c4d', 'subnet-4d3c2b1a', 'subnet-0w9x8y7z']);
    expect(profile.selectors).toEqual([
      { namespace: 'namespace1', labels: { key1: 'value1', key2: 'value2' } },
      { namespace: 'namespace2', labels: { key1: 'value1', key2: 'value2' } },
    ]);
    expect(profile.tags).toMatchObject({ key1: 'value1', key2: 'value2', [OWNERSHIP_TAGS.namespace]: 'default', [OWNERSHIP_TAGS.name]: 'hello-world' });
    // The role the sample names is used as given: no role is created.
    expect(await bed.roleExists(roleName(refIn('default', 'hello-world'), 'fargate-pods'))).toBe(false);
  });

  test('ReapplyUnchanged: kubectl apply of the same sample starts nothing; an equivalent spec leaves the profile alone, with no Error', async () => {
    const ref = { namespace: 'reapply', name: 'hello-world' };
    bed.namespace('reapply');
    bed.kubectl(['create', '-n', 'reapply', '-f', '-'], sampleNamed('reapply-profile'));
    await bed.settled(ref);
    const before = (await profileNamed('reapply-profile'))!;

    expect(bed.apply('reapply', sampleNamed('reapply-profile')).metadata.generation).toBe(1);
    // The selectors in the EKS API's own shape instead of the sample's shorthand: generation 2, the same profile.
    const rewritten = sampleNamed('reapply-profile').replace(/- (namespace\d):\n/g, '- namespace: $1\n');
    expect(rewritten).toContain('- namespace: namespace2\n');
    const applied = bed.apply('reapply', rewritten);
    expect(applied.metadata.generation).toBe(2);
    const group = await bed.settled(ref);
    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 2 });
    expect(conditionOf(group)!.message).toContain('nothing to change');
    const execution = await bed.execution(group);
    expect(execution.path).not.toContain('Create Fargate Profile');
    expect(execution.path).not.toContain('Delete Replaced Fargate Profile');
    expect((await profileNamed('reapply-profile'))!.fargateProfileArn).toBe(before.fargateProfileArn);
  });

  test('ChangeWithFixedName: a selector change deletes the named profile and creates it again, and status says so', async () => {
    const ref = { namespace: 'fixed-name', name: 'hello-world' };
    await bed.ready('fixed-name', sampleNamed('fixed-profile'));
    const before = (await profileNamed('fixed-profile'))!;
    const text = sampleNamed('fixed-profile').replace(/(- namespace2:\s+labels:\s+key1: )"value1"/, '$1"changed"');
    expect(text).toContain('"changed"');
    const group = await bed.ready('fixed-name', text);

    const { path } = await bed.execution(group);
    const deleteAt = path.indexOf('Delete Replaced Fargate Profile');
    expect(deleteAt).toBeGreaterThan(0);
    expect(path.indexOf('Create Fargate Profile')).toBeGreaterThan(deleteAt);
    const after = (await profileNamed('fixed-profile'))!;
    expect(after.fargateProfileArn).not.toBe(before.fargateProfileArn);
    expect(after.selectors).toContainEqual({ namespace: 'namespace2', labels: { key1: 'changed', key2: 'value2' } });
    const message = conditionOf(group)!.message!;
    expect(message).toContain('Deleted Fargate profile fixed-profile to create it again with the new spec (AWS cannot change a profile): selectors');
    expect(message).toContain('Created Fargate profile fixed-profile');
    expect(bed.group(ref)!.status).toMatchObject({ currentState: 'Ready', observedGeneration: group.metadata.generation });
  });

  test('CreatedRole: without fargateProfileName and podExecutionRoleArn, the name is derived and a pod execution role is created', async () => {
    const ref = refIn('created-role');
    const group = await bed.ready('created-role', fargateSpec('web'));

    const role = (await bed.aws.iam.send(new GetRoleCommand({ RoleName: roleName(ref, 'fargate-pods') }))).Role!;
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: { Principal: { Service: string }; Condition: unknown }[] };
    expect(trust.Statement[0]!.Principal.Service).toBe('eks-fargate-pods.amazonaws.com');
    expect(trust.Statement[0]!.Condition).toEqual({ ArnLike: { 'aws:SourceArn': `arn:aws:eks:${REGION}:123456789012:fargateprofile/${CLUSTER}/*` } });
    const policies = (await bed.aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }))).AttachedPolicies ?? [];
    expect(policies.map((p) => p.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy']);

    const profile = (await profileNamed(fargateProfileName(ref, 0)))!;
    expect(profile).toMatchObject({ podExecutionRoleArn: role.Arn, subnets: bed.account.subnetIds.slice(0, 2), selectors: [{ namespace: 'web', labels: { app: 'web' } }] });
    expect(group.status).toMatchObject({ currentState: 'Ready', fargateProfileName: fargateProfileName(ref, 0), podExecutionRoleArn: role.Arn });
  });

  test('ChangeWithDerivedName: a subnet change creates the new profile first, then deletes the old one', async () => {
    const ref = refIn('derived-name');
    await bed.ready('derived-name', fargateSpec('web'));
    const group = await bed.ready('derived-name', fargateSpec('web', { subnets: bed.account.subnetIds }));

    const { path } = await bed.execution(group);
    const createAt = path.indexOf('Create Fargate Profile');
    expect(createAt).toBeGreaterThan(0);
    expect(path.indexOf('Delete Replaced Fargate Profile')).toBeGreaterThan(createAt);
    const ours = await profilesOf('derived-name');
    expect(ours.map((p) => [p.fargateProfileName, p.subnets])).toEqual([[fargateProfileName(ref, 1), bed.account.subnetIds]]);
    expect(group.status!.fargateProfileName).toBe(fargateProfileName(ref, 1));
    expect(conditionOf(group)!.message).toContain(`to replace ${fargateProfileName(ref, 0)} (AWS cannot change a profile): subnets`);
  });

  test('GivenRole: switching to a role of your own replaces the profile and deletes only the role instance-manager created', async () => {
    const ref = refIn('given-role');
    await bed.ready('given-role', fargateSpec('web'));
    expect(await bed.roleExists(roleName(ref, 'fargate-pods'))).toBe(true);
    const group = await bed.ready('given-role', fargateSpec('web', { subnets: bed.account.subnetIds, podExecutionRoleArn: MY_POD_ROLE }));

    expect((await bed.execution(group)).path).toContain('Delete Unused Pod Execution Role');
    expect((await profilesOf('given-role')).map((p) => [p.fargateProfileName, p.podExecutionRoleArn])).toEqual([[fargateProfileName(ref, 1), MY_POD_ROLE]]);
    // The role instance-manager created is gone; the one the spec names stays.
    expect({ created: await bed.roleExists(roleName(ref, 'fargate-pods')), given: await bed.roleExists('MyPodRole') }).toEqual({ created: false, given: true });
    expect(group.status).toMatchObject({ currentState: 'Ready', podExecutionRoleArn: MY_POD_ROLE });
  });

  test('SupersededGeneration: an execution whose generation was replaced while it started ends without touching the profile', async () => {
    const ref = { namespace: 'superseded', name: 'web' };
    const first = fargateSpec('web', { podExecutionRoleArn: MY_POD_ROLE });
    await bed.ready('superseded', first);
    const [before] = await profilesOf('superseded');
    // Generation 2 changes the subnets; generation 3, back to the first spec, arrives just as generation 2's
    // execution starts.
    const { older: execution, group } = await bed.supersede('eks-fargate-apply', ref, fargateSpec('web', { podExecutionRoleArn: MY_POD_ROLE, subnets: bed.account.subnetIds }), first);
    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 3, lastExecution: { generation: 3, result: 'Succeeded' } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path.at(-1)).toBe('Superseded By A Newer Generation');
    expect(execution.path).not.toContain('Decide Next Change');
    expect((await profilesOf('superseded')).map((p) => p.fargateProfileArn)).toEqual([before!.fargateProfileArn]);
  });

  test('SupersededWhileRunning: a newer generation arriving mid-execution stops the older one before it changes AWS', async () => {
    const ref = refIn('while-running');
    const spec = (selector: string) => fargateSpec('web', { podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: selector }] });
    // The user applies again while generation 1's execution is between its first steps.
    bed.applyDuring('eks-fargate-apply', 'Create Pod Execution Role If Needed', ref, 1, spec('new'));
    const older = bed.apply('while-running', spec('old'));

    const group = await bed.settled(ref, { generation: 2 });
    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 2, fargateProfileName: fargateProfileName(ref, 0) });
    const execution = await bed.execution(older);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path).toContain('Report Superseded While Applying');
    expect(execution.path).not.toContain('Create Fargate Profile');
    expect((await profilesOf('while-running')).map((p) => p.selectors)).toEqual([[{ namespace: 'new' }]]);
  });

  test('NameConflict: a fargateProfileName already used by a profile instance-manager does not own is refused', async () => {
    await bed.aws.eks.send(
      new CreateFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: 'taken', podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'theirs' }] }),
    );
    const { group, execution } = await bed.failing('name-conflict', fargateSpec('clash', { fargateProfileName: 'taken', podExecutionRoleArn: MY_POD_ROLE }));

    expect(conditionOf(group)).toMatchObject({ reason: 'NameConflict' });
    expect(conditionOf(group)!.message).toContain('Choose another spec.eks-fargate.fargateProfileName');
    expect(execution.error).toBe('NameConflictError');
    expect(execution.cause).toContain('A Fargate profile named taken already exists in cluster the-cluster-for-my-pods and was not created by instance-manager');
    expect((await profileNamed('taken'))!.selectors).toEqual([{ namespace: 'theirs' }]);

    const deleted = await bed.remove(group.metadata);
    expect(deleted.status).toBe('SUCCEEDED');
    expect(deleted.path).toContain('Report Profile Not Found');
    expect(bed.group(group.metadata)).toBeUndefined();
    expect(await profileNamed('taken')).toBeDefined();
    expect(bed.events('name-conflict', 'ProfileNotOwned')).toEqual([expect.objectContaining({ object: 'clash' })]);
  });

  test('DeleteMissingProfile: deleting a group whose profile no longer exists reports ProfileNotFound and still releases the object', async () => {
    const group = await bed.ready('missing-profile', fargateSpec('lost', { fargateProfileName: 'lost-profile', podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'lost' }] }));
    await bed.aws.eks.send(new DeleteFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: 'lost-profile' }));

    const execution = await bed.remove(group.metadata);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path).toEqual(expect.arrayContaining(['Report Profile Not Found', 'Report Deleted']));
    expect(execution.path.at(-1)).toBe('Deleted');
    expect(bed.group(group.metadata)).toBeUndefined();
    const [event, ...others] = bed.events('missing-profile', 'ProfileNotFound');
    expect(others).toEqual([]);
    expect(event).toMatchObject({ type: 'Warning', object: 'lost' });
    expect(event!.message).toContain('Fargate profile lost-profile does not exist in cluster the-cluster-for-my-pods');
  });

  test('BadInput: a missing cluster, a missing role and an ambiguous selector each end in Error naming the field', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['no-cluster', { clusterName: 'no-such-cluster' }, 'MissingReferenceError', 'spec.eks-fargate.clusterName: EKS cluster no-such-cluster does not exist in us-west-2'],
      [
        'no-role',
        { podExecutionRoleArn: 'arn:aws:iam::123456789012:role/NoSuchRole' },
        'MissingReferenceError',
        'spec.eks-fargate.podExecutionRoleArn: IAM role arn:aws:iam::123456789012:role/NoSuchRole does not exist',
      ],
      ['two-namespaces', { selectors: [{ namespace: 'a', b: null }] }, 'InvalidSpecError', 'names more than one namespace (a, b); use one selector per namespace'],
    ];
    const applied = cases.map(([name, fields]) => bed.apply('bad-input', fargateSpec(name, fields)));
    for (const [i, [name, , error, message]] of cases.entries()) {
      const group = await bed.settled(applied[i]!.metadata);
      expect({ name, state: group.status!.currentState }).toEqual({ name, state: 'Error' });
      expect(conditionOf(group)!.message).toContain(message);
      expect(group.status!.lastExecution?.retryable).toBe(false);
      const execution = await bed.execution(group);
      expect({ name, status: execution.status, error: execution.error }).toEqual({ name, status: 'FAILED', error });
      expect(execution.cause).toContain(message);
      expect(await profilesOf('bad-input', name)).toEqual([]);
    }
    expect(await bed.roleExists(roleName({ clusterName: 'no-such-cluster', namespace: 'bad-input', name: 'no-cluster' }, 'fargate-pods'))).toBe(false);
    const deletes = await Promise.all(applied.map((g) => bed.remove(g.metadata)));
    expect(deletes.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  test('WaitLoop: a profile still CREATING goes through Wait For EKS and Check Fargate Profile Progress until EKS is done', async () => {
    // moto creates profiles ACTIVE at once; the create step's first look reports CREATING so the real loop runs
    // (the Check step reads moto's real answer).
    bed.intercept('eks-fargate-apply', 'Create Fargate Profile', { namespace: 'wait-loop', name: 'slow' }, async (event, context, real) => ({
      ...((await real(event, context)) as object),
      settled: false,
      status: 'CREATING',
    }));
    const group = await bed.ready('wait-loop', fargateSpec('slow', { podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'slow' }] }));
    const { path } = await bed.execution(group);
    const at = path.indexOf('Create Fargate Profile');
    expect(path.slice(at, at + 6)).toEqual(['Create Fargate Profile', 'Has EKS Finished?', 'Wait For EKS', 'Check Fargate Profile Progress', 'Has EKS Finished?', 'Decide Next Change']);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });

  test('DeleteEverything: after every group is deleted, moto holds no profile or role instance-manager created', async () => {
    await bed.ready('delete-everything', fargateSpec('api', { selectors: [{ namespace: 'api' }] }));
    expect(await bed.roleExists(roleName(refIn('delete-everything', 'api'), 'fargate-pods'))).toBe(true);
    const left = (JSON.parse(bed.kubectl(['get', 'instancegroups', '-A', '-o', 'json'])) as { items: InstanceGroup[] }).items;
    expect(left.map((g) => `${g.metadata.namespace}/${g.metadata.name}`)).toContain('delete-everything/api');

    const deletes = await Promise.all(left.map((g) => bed.remove(g.metadata)));
    for (const [i, execution] of deletes.entries()) {
      const { namespace, name } = left[i]!.metadata;
      expect({ group: `${namespace}/${name}`, status: execution.status }).toEqual({ group: `${namespace}/${name}`, status: 'SUCCEEDED' });
      expect(execution.path).not.toContain('Report Profile Not Found');
    }
    expect(bed.kubectl(['get', 'instancegroups', '-A', '-o', 'name'])).toBe('');
    const remaining = await profiles();
    expect(remaining.filter((p) => p.tags?.[OWNERSHIP_TAGS.managedBy] === 'instance-manager')).toEqual([]);
    expect(remaining.map((p) => p.fargateProfileName)).toEqual(['taken']); // not ours: untouched
    const roles = ((await bed.aws.iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName);
    expect(roles.filter((r) => r?.endsWith('fargate-pods') || r?.includes('-fargate-pods-'))).toEqual([]);
    expect(roles).toContain('MyPodRole'); // the role the sample names is never deleted
  });
});
