// eks-fargate apply and delete, end to end on the test bed: a real kube-apiserver and moto (seeded by
// local/seed.ts), the real ASL run by aws-local-stepfunctions with the real handlers bound in-process, as the
// `workflows` identity with the RBAC we ship. Nothing of moto's answers is faked; what moto cannot do (tags on a
// profile, CREATING/DELETING states) is covered by the unit tests on a stubbed client.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CreateFargateProfileCommand, DeleteFargateProfileCommand, DescribeFargateProfileCommand, EKSClient, ListFargateProfilesCommand, type FargateProfile } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { stringify } from 'yaml';
import type { InstanceGroupChange } from '../../core/events/index.js';
import { executionName, fargateProfileName, FINALIZER, OWNERSHIP_TAGS, roleName } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { seedAccount, type SeededAccount } from '../../local/seed.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { runWorkflow, type ExecutionRecord, type RunOptions } from '../../local/workflows/run.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../support/fixtures.js';

const REGION = 'us-west-2';
const CLUSTER = 'the-cluster-for-my-pods';
const MY_POD_ROLE = 'arn:aws:iam::123456789012:role/MyPodRole';
let bed: TestBed;
let admin: string;
let seeded: SeededAccount;
const aws = {} as { eks: EKSClient; iam: IAMClient };
const measured: Record<string, Pick<ExecutionRecord, 'transitions' | 'lambdaInvocations' | 'durationMs' | 'status'>> = {};

function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', admin, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function getGroup(namespace: string, name: string): InstanceGroup | undefined {
  try {
    return JSON.parse(kubectl(['get', 'instancegroup', name, '-n', namespace, '-o', 'json'])) as InstanceGroup;
  } catch (error) {
    if (/NotFound/.test(String((error as { stderr?: string }).stderr))) return undefined;
    throw error;
  }
}

function ensureNamespace(namespace: string): void {
  try {
    kubectl(['create', 'namespace', namespace]);
  } catch {
    // exists
  }
}

/** The finalizer the relay adds to every group it sees. */
function addFinalizer(namespace: string, name: string): InstanceGroup {
  kubectl(['patch', 'instancegroup', name, '-n', namespace, '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/metadata/finalizers', value: [FINALIZER] }])]);
  return getGroup(namespace, name)!;
}

/** kubectl apply (client-side, as most users do), with the relay's finalizer. */
function applyGroup(manifest: InstanceGroup, namespace: string): InstanceGroup {
  ensureNamespace(namespace);
  const obj = clone(manifest);
  obj.metadata = { ...obj.metadata, namespace } as InstanceGroup['metadata'];
  kubectl(['apply', '-f', '-'], stringify(obj));
  const stored = getGroup(namespace, obj.metadata.name)!;
  return stored.metadata.finalizers?.includes(FINALIZER) ? stored : addFinalizer(namespace, obj.metadata.name);
}

function changeFor(group: InstanceGroup, operation: 'apply' | 'delete', attempt = 1): InstanceGroupChange {
  return {
    version: 1,
    cluster: { name: CLUSTER, defaults: {} },
    group: {
      namespace: group.metadata.namespace,
      name: group.metadata.name,
      uid: group.metadata.uid,
      generation: group.metadata.generation,
      resourceVersion: group.metadata.resourceVersion,
    },
    provisioner: 'eks-fargate',
    operation,
    reason: operation === 'delete' ? 'deleted' : 'updated',
    attempt,
    spec: group.spec,
    sentAt: new Date().toISOString(),
  };
}

async function run(change: InstanceGroupChange, label?: string, options: Partial<RunOptions> = {}): Promise<ExecutionRecord> {
  const file = change.operation === 'apply' ? 'eks-fargate-apply.asl.json' : 'eks-fargate-delete.asl.json';
  const name = executionName({ ...change.group, operation: change.operation, attempt: change.attempt });
  const record = await runWorkflow(file, change, { name, stateMachineName: `instance-manager-eks-fargate-${change.operation}`, ...options });
  if (label) measured[label] = { transitions: record.transitions, lambdaInvocations: record.lambdaInvocations, durationMs: record.durationMs, status: record.status };
  return record;
}

async function deleteGroup(namespace: string, name: string, label?: string): Promise<ExecutionRecord> {
  kubectl(['delete', 'instancegroup', name, '-n', namespace, '--wait=false']);
  const group = getGroup(namespace, name)!;
  expect(group.metadata.deletionTimestamp).toBeDefined();
  return run(changeFor(group, 'delete'), label);
}

async function profiles(clusterName = CLUSTER): Promise<FargateProfile[]> {
  const names = (await aws.eks.send(new ListFargateProfilesCommand({ clusterName }))).fargateProfileNames ?? [];
  return Promise.all(names.map(async (n) => (await aws.eks.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName: n }))).fargateProfile!));
}

const profileNamed = async (name: string) => (await profiles()).find((p) => p.fargateProfileName === name);

async function roleExists(name: string): Promise<boolean> {
  try {
    await aws.iam.send(new GetRoleCommand({ RoleName: name }));
    return true;
  } catch {
    return false;
  }
}

/** Fails with the execution's error, cause and path, so a failure reads like the Step Functions console. */
function expectSucceeded(record: ExecutionRecord): void {
  if (record.status !== 'SUCCEEDED') {
    const errors = record.history.filter((h) => h.error).map((h) => `  ${h.state}: ${h.error}: ${String((h.cause as { message?: string })?.message ?? h.cause)}`);
    throw new Error(`execution ${record.name} ${record.status}: ${record.error}: ${record.cause}\npath: ${record.path.join(' → ')}\n${errors.join('\n')}`);
  }
}

const ready = (g: InstanceGroup | undefined) => g?.status?.conditions?.find((c) => c.type === 'Ready');

/** A Fargate spec of our own, on the seeded cluster. */
function fargateSpec(name: string, fields: Record<string, unknown> = {}): InstanceGroup {
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name } as InstanceGroup['metadata'],
    spec: {
      provisioner: 'eks-fargate',
      'eks-fargate': {
        clusterName: CLUSTER,
        subnets: seeded.subnetIds.slice(0, 2),
        selectors: [{ namespace: 'web', labels: { app: 'web' } }],
        ...fields,
      },
    } as InstanceGroup['spec'],
  };
}

beforeAll(async () => {
  // moto leaves out AWS's managed policies (AmazonEKSFargatePodExecutionRolePolicy...) unless asked; an account has them.
  bed = await startTestBed();
  admin = bed.kube!.kubeconfigPath;
  Object.assign(process.env, {
    CLUSTER_ACCESS: 'kubeconfig',
    KUBECONFIG: bed.kube!.kubeconfigFor('workflows'),
    AWS_ENDPOINT_URL: bed.moto!.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    LOG_LEVEL: 'warn',
  });
  kubectl(['apply', '-f', 'infra/k8s/crd.yaml', '-f', 'infra/k8s/workflows-rbac.yaml']);
  kubectl(['wait', '--for=condition=Established', 'crd/instancegroups.instancemgr.keikoproj.io', '--timeout=30s']);
  seeded = await seedAccount();
  const config = { region: REGION, endpoint: bed.moto!.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  aws.eks = new EKSClient(config);
  aws.iam = new IAMClient(config);
}, 240_000);

afterAll(async () => {
  console.log(`eks-fargate measured executions:\n${JSON.stringify(measured, null, 2)}`);
  await bed?.stop();
});

describe('eks-fargate on the test bed', () => {
  test('ReferenceSample: the README sample, created exactly as written, reaches Ready', async () => {
    kubectl(['create', '-f', REFERENCE_SAMPLES.eksFargate, '-n', 'default']);
    const group = addFinalizer('default', 'hello-world');
    const record = await run(changeFor(group, 'apply'), 'create (reference sample)');

    expectSucceeded(record);
    expect(record.path.at(-1)).toBe('Ready');
    const status = getGroup('default', 'hello-world')!.status!;
    expect(status).toMatchObject({ currentState: 'Ready', fargateProfileName: 'my-unique-profile-name', podExecutionRoleArn: MY_POD_ROLE, observedGeneration: 1 });
    expect(ready(getGroup('default', 'hello-world'))).toMatchObject({ status: 'True', reason: 'Provisioned' });
    expect(ready(getGroup('default', 'hello-world'))!.message).toContain('Created Fargate profile my-unique-profile-name');

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
    const created = ((await aws.iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.includes('fargate-pods'));
    expect(created).toHaveLength(0);
  });

  test('ReapplyUnchanged: kubectl apply of the same sample and a new execution leave the profile alone, with no Error', async () => {
    const before = (await profileNamed('my-unique-profile-name'))!;
    ensureNamespace('default');
    kubectl(['apply', '-n', 'default', '-f', REFERENCE_SAMPLES.eksFargate]); // client-side apply: drops the null namespace keys
    const group = getGroup('default', 'hello-world')!;
    const record = await run(changeFor(group, 'apply', 2), 'apply (unchanged)');

    expectSucceeded(record);
    expect(record.path).not.toContain('Create Fargate Profile');
    expect(record.path).not.toContain('Delete Replaced Fargate Profile');
    const after = (await profileNamed('my-unique-profile-name'))!;
    expect(after.fargateProfileArn).toBe(before.fargateProfileArn);
    const g = getGroup('default', 'hello-world')!;
    expect(g.status!.currentState).toBe('Ready');
    expect(ready(g)!.message).toContain('nothing to change');
  });

  test('ChangeWithFixedName: a selector change deletes the named profile and creates it again, and status says so', async () => {
    const before = (await profileNamed('my-unique-profile-name'))!;
    const text = readFileSync(REFERENCE_SAMPLES.eksFargate, 'utf8').replace(/(- namespace2:\s+labels:\s+key1: )"value1"/, '$1"changed"');
    expect(text).toContain('"changed"');
    kubectl(['apply', '-n', 'default', '-f', '-'], text);
    const group = getGroup('default', 'hello-world')!;
    const record = await run(changeFor(group, 'apply'), 'replace (fixed name: delete, then create)');

    expectSucceeded(record);
    const deleteAt = record.path.indexOf('Delete Replaced Fargate Profile');
    expect(deleteAt).toBeGreaterThan(0);
    expect(record.path.indexOf('Create Fargate Profile')).toBeGreaterThan(deleteAt);
    const after = (await profileNamed('my-unique-profile-name'))!;
    expect(after.fargateProfileArn).not.toBe(before.fargateProfileArn);
    expect(after.selectors).toContainEqual({ namespace: 'namespace2', labels: { key1: 'changed', key2: 'value2' } });
    const message = ready(getGroup('default', 'hello-world'))!.message!;
    expect(message).toContain('Deleted Fargate profile my-unique-profile-name to create it again with the new spec (AWS cannot change a profile): selectors');
    expect(message).toContain('Created Fargate profile my-unique-profile-name');
    expect(getGroup('default', 'hello-world')!.status).toMatchObject({ currentState: 'Ready', observedGeneration: group.metadata.generation });
  });

  test('CreatedRole: without fargateProfileName and podExecutionRoleArn, the name is derived and a pod execution role is created', async () => {
    const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'web' };
    const record = await run(changeFor(applyGroup(fargateSpec('web'), 'team-a'), 'apply'), 'create (with a created role)');
    expectSucceeded(record);

    const role = (await aws.iam.send(new GetRoleCommand({ RoleName: roleName(ref, 'fargate-pods') }))).Role!;
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: { Principal: { Service: string }; Condition: unknown }[] };
    expect(trust.Statement[0]!.Principal.Service).toBe('eks-fargate-pods.amazonaws.com');
    expect(trust.Statement[0]!.Condition).toEqual({ ArnLike: { 'aws:SourceArn': `arn:aws:eks:${REGION}:123456789012:fargateprofile/${CLUSTER}/*` } });
    const policies = (await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }))).AttachedPolicies ?? [];
    expect(policies.map((p) => p.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy']);

    const profile = (await profileNamed(fargateProfileName(ref, 0)))!;
    expect(profile).toMatchObject({ podExecutionRoleArn: role.Arn, subnets: seeded.subnetIds.slice(0, 2), selectors: [{ namespace: 'web', labels: { app: 'web' } }] });
    expect(getGroup('team-a', 'web')!.status).toMatchObject({ currentState: 'Ready', fargateProfileName: fargateProfileName(ref, 0), podExecutionRoleArn: role.Arn });
  });

  test('ChangeWithDerivedName: a subnet change creates the new profile first, then deletes the old one', async () => {
    const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'web' };
    const group = applyGroup(fargateSpec('web', { subnets: seeded.subnetIds }), 'team-a');
    const record = await run(changeFor(group, 'apply'), 'replace (derived name: create, then delete)');

    expectSucceeded(record);
    const createAt = record.path.indexOf('Create Fargate Profile');
    expect(createAt).toBeGreaterThan(0);
    expect(record.path.indexOf('Delete Replaced Fargate Profile')).toBeGreaterThan(createAt);
    const names = (await profiles()).map((p) => p.fargateProfileName);
    expect(names).toContain(fargateProfileName(ref, 1));
    expect(names).not.toContain(fargateProfileName(ref, 0));
    expect((await profileNamed(fargateProfileName(ref, 1)))!.subnets).toEqual(seeded.subnetIds);
    const g = getGroup('team-a', 'web')!;
    expect(g.status!.fargateProfileName).toBe(fargateProfileName(ref, 1));
    expect(ready(g)!.message).toContain(`to replace ${fargateProfileName(ref, 0)} (AWS cannot change a profile): subnets`);
  });

  test('GivenRole: switching to a role of your own replaces the profile and deletes only the role instance-manager created', async () => {
    const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'web' };
    const group = applyGroup(fargateSpec('web', { subnets: seeded.subnetIds, podExecutionRoleArn: MY_POD_ROLE }), 'team-a');
    const record = await run(changeFor(group, 'apply'), 'replace (own role; created role deleted)');

    expectSucceeded(record);
    expect(record.path).toContain('Delete Unused Pod Execution Role');
    expect((await profileNamed(fargateProfileName(ref, 2)))!.podExecutionRoleArn).toBe(MY_POD_ROLE);
    expect(await profileNamed(fargateProfileName(ref, 1))).toBeUndefined();
    expect(await roleExists(roleName(ref, 'fargate-pods'))).toBe(false);
    expect(await roleExists('MyPodRole')).toBe(true);
    expect(getGroup('team-a', 'web')!.status).toMatchObject({ currentState: 'Ready', podExecutionRoleArn: MY_POD_ROLE });
  });

  test('SupersededGeneration: an execution for an older generation ends without touching the profile', async () => {
    const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'web' };
    const before = (await profileNamed(fargateProfileName(ref, 2)))!;
    const stale = changeFor(getGroup('team-a', 'web')!, 'apply');
    stale.group.generation = 1;
    stale.spec = fargateSpec('web').spec; // the older spec travels with the older event
    const record = await run(stale, 'apply (superseded)');

    expectSucceeded(record);
    expect(record.path.at(-1)).toBe('Superseded By A Newer Generation');
    expect(record.path).not.toContain('Decide Next Change');
    expect((await profiles()).filter((p) => p.tags?.[OWNERSHIP_TAGS.name] === 'web').map((p) => p.fargateProfileArn)).toEqual([before.fargateProfileArn]);
    expect(getGroup('team-a', 'web')!.status!.lastExecution?.result).toBe('Succeeded');
  });

  test('SupersededWhileRunning: a newer generation arriving mid-execution stops the older one before it changes AWS', async () => {
    const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'web' };
    const group = applyGroup(fargateSpec('web', { subnets: seeded.subnetIds, podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'old' }] }), 'team-a');
    const { handler: ensureRole } = await import('../../functions/eks-fargate-ensure-pod-execution-role/handler.js');
    const record = await run(changeFor(group, 'apply'), 'apply (superseded while running)', {
      handlers: {
        // The user applies again while this execution is between its first steps.
        'Create Pod Execution Role If Needed': async (input) => {
          applyGroup(fargateSpec('web', { subnets: seeded.subnetIds, podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'new' }] }), 'team-a');
          return ensureRole(input as never, {} as never);
        },
      },
    });

    expectSucceeded(record);
    expect(record.path).toContain('Report Superseded While Applying');
    expect(record.path).not.toContain('Create Fargate Profile');
    const ours = (await profiles()).filter((p) => p.tags?.[OWNERSHIP_TAGS.name] === 'web');
    expect(ours.flatMap((p) => p.selectors?.map((s) => s.namespace))).not.toContain('old');

    const newer = await run(changeFor(getGroup('team-a', 'web')!, 'apply'), 'apply (the newer generation)');
    expectSucceeded(newer);
    expect((await profileNamed(fargateProfileName(ref, 3)))!.selectors).toEqual([{ namespace: 'new' }]);
  });

  test('NameConflict: a fargateProfileName already used by a profile instance-manager does not own is refused', async () => {
    await aws.eks.send(
      new CreateFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: 'taken', podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'theirs' }] }),
    );
    const group = applyGroup(fargateSpec('clash', { fargateProfileName: 'taken', podExecutionRoleArn: MY_POD_ROLE }), 'team-b');
    const record = await run(changeFor(group, 'apply'), 'apply (name conflict)');

    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('NameConflictError');
    expect(record.cause).toContain('A Fargate profile named taken already exists in cluster the-cluster-for-my-pods and was not created by instance-manager');
    const g = getGroup('team-b', 'clash')!;
    expect(g.status!.currentState).toBe('Error');
    expect(ready(g)).toMatchObject({ reason: 'NameConflict' });
    expect(ready(g)!.message).toContain('Choose another spec.eks-fargate.fargateProfileName');
    expect((await profileNamed('taken'))!.selectors).toEqual([{ namespace: 'theirs' }]);

    const deleted = await deleteGroup('team-b', 'clash', 'delete (profile not ours)');
    expectSucceeded(deleted);
    expect(deleted.path).toContain('Report Profile Not Found');
    expect(getGroup('team-b', 'clash')).toBeUndefined();
    expect(await profileNamed('taken')).toBeDefined();
    expect(kubectl(['get', 'events', '-n', 'team-b', '--field-selector', 'reason=ProfileNotOwned', '-o', 'name'])).not.toBe('');
  });

  test('DeleteMissingProfile: deleting a group whose profile no longer exists reports ProfileNotFound and still releases the object', async () => {
    const group = applyGroup(fargateSpec('lost', { fargateProfileName: 'lost-profile', podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'lost' }] }), 'team-b');
    expectSucceeded(await run(changeFor(group, 'apply')));
    await aws.eks.send(new DeleteFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: 'lost-profile' }));

    const record = await deleteGroup('team-b', 'lost', 'delete (profile already gone)');
    expectSucceeded(record);
    expect(record.path).toEqual(expect.arrayContaining(['Report Profile Not Found', 'Report Deleted']));
    expect(record.path.at(-1)).toBe('Deleted');
    expect(getGroup('team-b', 'lost')).toBeUndefined();
    const events = JSON.parse(kubectl(['get', 'events', '-n', 'team-b', '--field-selector', 'reason=ProfileNotFound', '-o', 'json'])) as {
      items: { type: string; message: string }[];
    };
    expect(events.items[0]).toMatchObject({ type: 'Warning' });
    expect(events.items[0]!.message).toContain('Fargate profile lost-profile does not exist in cluster the-cluster-for-my-pods');
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
    const profilesBefore = (await profiles()).length;
    for (const [name, fields, error, message] of cases) {
      const record = await run(changeFor(applyGroup(fargateSpec(name, fields), 'team-c'), 'apply'), name === 'no-cluster' ? 'apply (missing cluster)' : undefined);
      expect({ name, status: record.status, error: record.error }).toEqual({ name, status: 'FAILED', error });
      expect(record.cause).toContain(message);
      const g = getGroup('team-c', name)!;
      expect(g.status!.currentState).toBe('Error');
      expect(ready(g)!.message).toContain(message);
      expect(g.status!.lastExecution?.retryable).toBe(false);
    }
    expect((await profiles()).length).toBe(profilesBefore);
    expect(await roleExists(roleName({ clusterName: 'no-such-cluster', namespace: 'team-c', name: 'no-cluster' }, 'fargate-pods'))).toBe(false);
    for (const [name] of cases) expectSucceeded(await deleteGroup('team-c', name));
  });

  test('WaitLoop: a profile still CREATING goes through Wait For EKS and Check Fargate Profile Progress until EKS is done', async () => {
    // moto creates profiles ACTIVE at once; report the create step's first look as CREATING to drive the loop with
    // the real steps (the Check step reads moto's real answer).
    const { handler: create } = await import('../../functions/eks-fargate-create-profile/handler.js');
    const group = applyGroup(fargateSpec('slow', { podExecutionRoleArn: MY_POD_ROLE, selectors: [{ namespace: 'slow' }] }), 'team-d');
    const record = await run(changeFor(group, 'apply'), 'create (one wait loop)', {
      handlers: { 'Create Fargate Profile': async (input) => ({ ...((await create(input as never, {} as never)) as object), settled: false, status: 'CREATING' }) },
    });
    expectSucceeded(record);
    const at = record.path.indexOf('Create Fargate Profile');
    expect(record.path.slice(at, at + 6)).toEqual(['Create Fargate Profile', 'Has EKS Finished?', 'Wait For EKS', 'Check Fargate Profile Progress', 'Has EKS Finished?', 'Decide Next Change']);
    expect(getGroup('team-d', 'slow')!.status!.currentState).toBe('Ready');
    expectSucceeded(await deleteGroup('team-d', 'slow'));
  });

  test('DeleteEverything: after the deletes, moto holds no profile or role instance-manager created', async () => {
    const createdRole = await run(changeFor(applyGroup(fargateSpec('api', { selectors: [{ namespace: 'api' }] }), 'team-d'), 'apply'));
    expectSucceeded(createdRole);
    const apiRole = roleName({ clusterName: CLUSTER, namespace: 'team-d', name: 'api' }, 'fargate-pods');
    expect(await roleExists(apiRole)).toBe(true);

    for (const [ns, name] of [['team-d', 'api'], ['team-a', 'web'], ['default', 'hello-world']] as const) {
      const record = await deleteGroup(ns, name, ns === 'team-d' ? 'delete (with created role)' : undefined);
      expectSucceeded(record);
      expect(record.path).not.toContain('Report Profile Not Found');
      expect(getGroup(ns, name)).toBeUndefined();
    }
    const left = await profiles();
    expect(left.filter((p) => p.tags?.[OWNERSHIP_TAGS.managedBy] === 'instance-manager')).toEqual([]);
    expect(left.map((p) => p.fargateProfileName)).toEqual(['taken']); // not ours: untouched
    const roles = ((await aws.iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName);
    expect(roles.filter((r) => r?.endsWith('fargate-pods') || r?.includes('-fargate-pods-'))).toEqual([]);
    expect(roles).toContain('MyPodRole'); // the role the sample names is never deleted
  });
});
