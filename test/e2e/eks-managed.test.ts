// eks-managed apply and delete, end to end on the test bed: a real kube-apiserver and moto (seeded by
// local/seed.ts), the real ASL run by aws-local-stepfunctions with the real handlers bound in-process, as the
// `workflows` identity with the RBAC we ship. Nothing of moto's answers is faked; what moto cannot do
// (UpdateNodegroupVersion, tags on a node group, CREATING/UPDATING/DEGRADED states) is covered by the unit tests
// on a stubbed client.
import { execFileSync } from 'node:child_process';
import { DescribeNodegroupCommand, EKSClient, ListNodegroupsCommand, type Nodegroup } from '@aws-sdk/client-eks';
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { stringify } from 'yaml';
import type { InstanceGroupChange } from '../../core/events/index.js';
import { executionName, FINALIZER, nodeGroupName, OWNERSHIP_TAGS, roleName } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { CREATED_WITH_TAG } from '../../functions/eks-managed/plan.js';
import { seedAccount, type SeededAccount } from '../../local/seed.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { runWorkflow, type ExecutionRecord, type RunOptions } from '../../local/workflows/run.js';
import { clone } from '../support/fixtures.js';

const REGION = 'us-west-2';
const CLUSTER = 'my-eks-cluster';
let bed: TestBed;
let admin: string;
let seeded: SeededAccount;
const aws = {} as { eks: EKSClient; iam: IAMClient };
const measured: Record<string, Pick<ExecutionRecord, 'transitions' | 'lambdaInvocations' | 'durationMs' | 'status'>> = {};
const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'workers' };

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

/** kubectl apply, with the finalizer the relay would add; returns the stored object. */
function applyGroup(manifest: InstanceGroup, namespace: string): InstanceGroup {
  try {
    kubectl(['create', 'namespace', namespace]);
  } catch {
    // exists
  }
  const obj = clone(manifest);
  obj.metadata = { ...obj.metadata, namespace, finalizers: [FINALIZER] } as InstanceGroup['metadata'];
  kubectl(['apply', '-f', '-'], stringify(obj));
  return getGroup(namespace, obj.metadata.name)!;
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
    provisioner: 'eks-managed',
    operation,
    reason: operation === 'delete' ? 'deleted' : 'updated',
    attempt,
    spec: group.spec,
    sentAt: new Date().toISOString(),
  };
}

async function run(change: InstanceGroupChange, label?: string, options: Partial<RunOptions> = {}): Promise<ExecutionRecord> {
  const file = change.operation === 'apply' ? 'eks-managed-apply.asl.json' : 'eks-managed-delete.asl.json';
  const name = executionName({ ...change.group, operation: change.operation, attempt: change.attempt });
  const record = await runWorkflow(file, change, { name, stateMachineName: `instance-manager-eks-managed-${change.operation}`, ...options });
  if (label) measured[label] = { transitions: record.transitions, lambdaInvocations: record.lambdaInvocations, durationMs: record.durationMs, status: record.status };
  return record;
}

/** Fails with the execution's error, cause and path, so a failure reads like the Step Functions console. */
function expectSucceeded(record: ExecutionRecord): void {
  if (record.status !== 'SUCCEEDED') {
    const errors = record.history.filter((h) => h.error).map((h) => `  ${h.state}: ${h.error}: ${String((h.cause as { message?: string })?.message ?? h.cause)}`);
    throw new Error(`execution ${record.name} ${record.status}: ${record.error}: ${record.cause}\npath: ${record.path.join(' → ')}\n${errors.join('\n')}`);
  }
}

async function deleteGroup(namespace: string, name: string, label?: string): Promise<ExecutionRecord> {
  kubectl(['delete', 'instancegroup', name, '-n', namespace, '--wait=false']);
  const group = getGroup(namespace, name)!;
  expect(group.metadata.deletionTimestamp).toBeDefined();
  return run(changeFor(group, 'delete'), label);
}

async function nodeGroups(): Promise<Nodegroup[]> {
  const names = (await aws.eks.send(new ListNodegroupsCommand({ clusterName: CLUSTER }))).nodegroups ?? [];
  return Promise.all(names.map(async (n) => (await aws.eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: n }))).nodegroup!));
}

const nodeGroup = async (name: string) => (await nodeGroups()).find((n) => n.nodegroupName === name);

async function roleExists(name: string): Promise<boolean> {
  try {
    await aws.iam.send(new GetRoleCommand({ RoleName: name }));
    return true;
  } catch {
    return false;
  }
}

const ready = (g: InstanceGroup | undefined) => g?.status?.conditions?.find((c) => c.type === 'Ready');

interface ManagedFields {
  minSize?: number;
  maxSize?: number;
  strategy?: Record<string, unknown>;
  [field: string]: unknown;
}

/** An eks-managed group on the seeded cluster: every field AWS takes at creation is set. */
function managedSpec(name: string, { minSize = 1, maxSize = 3, strategy, ...configuration }: ManagedFields = {}): InstanceGroup {
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name } as InstanceGroup['metadata'],
    spec: {
      provisioner: 'eks-managed',
      ...(strategy ? { strategy } : {}),
      'eks-managed': {
        minSize,
        maxSize,
        configuration: {
          clusterName: CLUSTER,
          subnets: seeded.subnetIds,
          instanceTypes: ['m5.large'],
          volSize: 50,
          amiType: 'AL2_x86_64',
          capacityType: 'SPOT',
          keyPairName: seeded.keyPairName,
          securityGroups: [seeded.securityGroupId],
          nodeLabels: { team: 'a', tier: 'web' },
          taints: [
            { key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' },
            { key: 'spot', effect: 'PREFER_NO_SCHEDULE' },
          ],
          tags: [{ key: 'cost-center', value: '42' }],
          ...configuration,
        },
      },
    } as InstanceGroup['spec'],
  };
}

beforeAll(async () => {
  // moto leaves out AWS's managed policies (AmazonEKSWorkerNodePolicy...) unless asked; an account has them.
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
  console.log(`eks-managed measured executions:\n${JSON.stringify(measured, null, 2)}`);
  await bed?.stop();
});

describe('eks-managed on the test bed', () => {
  test('Create: every field reaches the node group; desired = min; the node role is created; status fills the columns', async () => {
    const record = await run(changeFor(applyGroup(managedSpec('workers'), 'team-a'), 'apply'), 'create');
    expectSucceeded(record);
    expect(record.path.at(-1)).toBe('Ready');

    const name = nodeGroupName(ref, 0);
    const ng = (await nodeGroup(name))!;
    const role = roleName(ref, 'nodes');
    expect(ng).toMatchObject({
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
      subnets: seeded.subnetIds,
      instanceTypes: ['m5.large'],
      diskSize: 50,
      amiType: 'AL2_x86_64',
      capacityType: 'SPOT',
      remoteAccess: { ec2SshKey: 'my-key', sourceSecurityGroups: [seeded.securityGroupId] },
      labels: { team: 'a', tier: 'web' },
      taints: [
        { key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' },
        { key: 'spot', effect: 'PREFER_NO_SCHEDULE' },
      ],
      nodeRole: `arn:aws:iam::123456789012:role/${role}`,
    });
    expect(ng.tags).toMatchObject({ 'cost-center': '42', [OWNERSHIP_TAGS.namespace]: 'team-a', [OWNERSHIP_TAGS.name]: 'workers' });
    expect(ng.tags?.[CREATED_WITH_TAG]).toMatch(/^it:[0-9a-f]{8} sn:[0-9a-f]{8} /);
    const policies = (await aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
    expect(policies.map((p) => p.PolicyName).sort()).toEqual(['AmazonEC2ContainerRegistryReadOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']);

    const asg = ng.resources!.autoScalingGroups![0]!.name!;
    const status = getGroup('team-a', 'workers')!.status!;
    expect(status).toMatchObject({
      currentState: 'Ready',
      currentMin: 1,
      currentMax: 3,
      nodeGroupName: name,
      activeScalingGroupName: asg,
      nodesInstanceRoleArn: ng.nodeRole,
      lifecycle: 'spot',
      observedGeneration: 1,
    });
    expect(status.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'False', reason: 'Healthy' });
    expect(kubectl(['get', 'instancegroups', '-n', 'team-a'])).toMatch(new RegExp(`workers\\s+Ready\\s+1\\s+3\\s+${asg}\\s+eks-managed`));
  });

  test('ReapplyUnchanged: a new execution for the same spec changes nothing', async () => {
    const before = (await nodeGroup(nodeGroupName(ref, 0)))!;
    const record = await run(changeFor(getGroup('team-a', 'workers')!, 'apply', 2), 'apply (unchanged)');
    expectSucceeded(record);
    const changes = ['Create Node Group', 'Update Size, Labels And Taints', 'Update Kubernetes Version', 'Update Tags', 'Delete Replaced Node Group'];
    expect(record.path.filter((s) => changes.includes(s))).toEqual([]);
    const after = (await nodeGroup(nodeGroupName(ref, 0)))!;
    expect(after.modifiedAt).toEqual(before.modifiedAt);
    expect(ready(getGroup('team-a', 'workers'))!.message).toContain('matches the spec; nothing to change');
  });

  test('InPlace: size, labels and taints change through UpdateNodegroupConfig; the desired size moves only to stay within bounds', async () => {
    const spec = managedSpec('workers', {
      minSize: 2,
      maxSize: 5,
      nodeLabels: { team: 'a', zone: 'blue' },
      taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
    });
    const record = await run(changeFor(applyGroup(spec, 'team-a'), 'apply'), 'update in place');
    expectSucceeded(record);
    expect(record.path).toContain('Update Size, Labels And Taints');

    const ng = (await nodeGroup(nodeGroupName(ref, 0)))!;
    expect(ng.scalingConfig).toEqual({ minSize: 2, maxSize: 5, desiredSize: 2 });
    expect(ng.labels).toEqual({ team: 'a', zone: 'blue' });
    expect(ng.taints).toEqual([{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }]);
    const g = getGroup('team-a', 'workers')!;
    expect(g.status).toMatchObject({ currentState: 'Ready', currentMin: 2, currentMax: 5, observedGeneration: 2 });
    expect(ready(g)!.message).toContain(`Updated node group ${nodeGroupName(ref, 0)}: size 1-3 → 2-5 (desired 1 → 2 to stay within the new bounds); labels zone=blue, -tier; taints -spot:PREFER_NO_SCHEDULE`);

    // Lowering min again leaves the desired size where it is: it is never reset to min on update.
    const lower = await run(changeFor(applyGroup(managedSpec('workers', { minSize: 1, maxSize: 5, nodeLabels: { team: 'a', zone: 'blue' }, taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }] }), 'team-a'), 'apply'));
    expectSucceeded(lower);
    expect((await nodeGroup(nodeGroupName(ref, 0)))!.scalingConfig).toEqual({ minSize: 1, maxSize: 5, desiredSize: 2 });
  });

  test('ReplacementRequired: instance types and disk size cannot change in place; without replace, status says what to do', async () => {
    const before = (await nodeGroup(nodeGroupName(ref, 0)))!;
    const spec = managedSpec('workers', { minSize: 1, maxSize: 5, nodeLabels: { team: 'a', zone: 'blue' }, taints: [], instanceTypes: ['m5.xlarge'], volSize: 80 });
    const record = await run(changeFor(applyGroup(spec, 'team-a'), 'apply'), 'apply (replacement required)');

    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('ReplacementRequiredError');
    expect(record.cause).toMatch(/^Decide Next Change failed: AWS cannot change instanceTypes \(m5\.large → m5\.xlarge\), volSize \(50 GiB → 80 GiB\) on existing node group/);
    const g = getGroup('team-a', 'workers')!;
    expect(g.status!.currentState).toBe('Error');
    expect(ready(g)).toMatchObject({ status: 'False', reason: 'ReplacementRequired' });
    expect(ready(g)!.message).toContain('set spec.strategy.replace: true');
    expect(g.status!.lastExecution?.retryable).toBe(false);
    const after = (await nodeGroup(nodeGroupName(ref, 0)))!;
    expect(after).toMatchObject({ instanceTypes: ['m5.large'], diskSize: 50, taints: before.taints });
    expect((await nodeGroups()).map((n) => n.nodegroupName)).toEqual([nodeGroupName(ref, 0)]);
  });

  test('Replace: with strategy.replace the new node group is created first, then the old one deleted; the desired size carries over', async () => {
    const spec = managedSpec('workers', {
      minSize: 1,
      maxSize: 5,
      nodeLabels: { team: 'a', zone: 'blue' },
      taints: [],
      instanceTypes: ['m5.xlarge'],
      volSize: 80,
      strategy: { type: 'managed', replace: true },
    });
    const record = await run(changeFor(applyGroup(spec, 'team-a'), 'apply'), 'replace');
    expectSucceeded(record);
    const createAt = record.path.indexOf('Create Node Group');
    expect(createAt).toBeGreaterThan(0);
    expect(record.path.indexOf('Delete Replaced Node Group')).toBeGreaterThan(createAt);

    expect(await nodeGroup(nodeGroupName(ref, 0))).toBeUndefined();
    const ng = (await nodeGroup(nodeGroupName(ref, 1)))!;
    expect(ng).toMatchObject({ instanceTypes: ['m5.xlarge'], diskSize: 80, scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 2 } });
    const g = getGroup('team-a', 'workers')!;
    expect(g.status).toMatchObject({ currentState: 'Ready', nodeGroupName: nodeGroupName(ref, 1), activeScalingGroupName: ng.resources!.autoScalingGroups![0]!.name });
    expect(ready(g)!.message).toContain(`Created node group ${nodeGroupName(ref, 1)} to replace ${nodeGroupName(ref, 0)}: instanceTypes (m5.large → m5.xlarge), volSize (50 GiB → 80 GiB)`);
    expect(ready(g)!.message).toContain(`Deleted node group ${nodeGroupName(ref, 0)}, replaced by ${nodeGroupName(ref, 1)}`);
  });

  test('GivenNodeRole: switching to your own role replaces the node group and deletes only the role instance-manager created', async () => {
    const own = (
      await aws.iam.send(
        new CreateRoleCommand({
          RoleName: 'team-a-nodes',
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        }),
      )
    ).Role!.Arn!;
    const spec = managedSpec('workers', {
      minSize: 1,
      maxSize: 5,
      nodeLabels: { team: 'a', zone: 'blue' },
      taints: [],
      instanceTypes: ['m5.xlarge'],
      volSize: 80,
      nodeRole: own,
      strategy: { type: 'managed', replace: true },
    });
    const record = await run(changeFor(applyGroup(spec, 'team-a'), 'apply'), 'replace (own node role; created role deleted)');
    expectSucceeded(record);
    expect((await nodeGroup(nodeGroupName(ref, 2)))!.nodeRole).toBe(own);
    expect(await nodeGroup(nodeGroupName(ref, 1))).toBeUndefined();
    expect(await roleExists(roleName(ref, 'nodes'))).toBe(false);
    expect(getGroup('team-a', 'workers')!.status).toMatchObject({ currentState: 'Ready', nodesInstanceRoleArn: own });
  });

  test('SupersededGeneration: an execution for an older generation ends without touching the node group', async () => {
    const before = (await nodeGroup(nodeGroupName(ref, 2)))!;
    const stale = changeFor(getGroup('team-a', 'workers')!, 'apply');
    stale.group.generation = 1;
    stale.spec = managedSpec('workers').spec;
    const record = await run(stale, 'apply (superseded)');
    expectSucceeded(record);
    expect(record.path.at(-1)).toBe('Superseded By A Newer Generation');
    expect(record.path).not.toContain('Decide Next Change');
    expect((await nodeGroups()).map((n) => n.nodegroupName)).toEqual([nodeGroupName(ref, 2)]);
    expect((await nodeGroup(nodeGroupName(ref, 2)))!.modifiedAt).toEqual(before.modifiedAt);
  });

  test('BadInput: a missing subnet, key pair, security group, node role or cluster ends in Error naming each', async () => {
    const spec = managedSpec('broken', {
      subnets: ['subnet-00000000', seeded.subnetIds[0]],
      keyPairName: 'no-such-key',
      securityGroups: ['sg-00000000'],
      nodeRole: 'arn:aws:iam::123456789012:role/no-such-role',
    });
    const record = await run(changeFor(applyGroup(spec, 'team-b'), 'apply'), 'apply (missing references)');
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('MissingReferenceError');
    for (const text of [
      'spec.eks-managed.configuration.subnets: subnet-00000000 does not exist in us-west-2',
      'spec.eks-managed.configuration.keyPairName: key pair no-such-key does not exist in us-west-2',
      'spec.eks-managed.configuration.securityGroups: sg-00000000 does not exist in us-west-2',
      'spec.eks-managed.configuration.nodeRole: IAM role arn:aws:iam::123456789012:role/no-such-role does not exist',
    ]) {
      expect(record.cause).toContain(text);
    }
    expect(record.path).not.toContain('Create Node Group');
    const g = getGroup('team-b', 'broken')!;
    expect(ready(g)).toMatchObject({ reason: 'MissingReference' });

    const noCluster = await run(changeFor(applyGroup(managedSpec('elsewhere', { clusterName: 'no-such-cluster' }), 'team-b'), 'apply'));
    expect(noCluster.status).toBe('FAILED');
    expect(noCluster.cause).toContain('spec.eks-managed.configuration.clusterName: EKS cluster no-such-cluster does not exist in us-west-2');
    expect(await roleExists(roleName({ ...ref, clusterName: 'no-such-cluster', namespace: 'team-b', name: 'elsewhere' }, 'nodes'))).toBe(false);

    for (const name of ['broken', 'elsewhere']) {
      expectSucceeded(await deleteGroup('team-b', name));
      expect(getGroup('team-b', name)).toBeUndefined();
    }
  });

  test('WaitLoop: a node group still CREATING goes through Wait For EKS and Check Node Group Progress until EKS is done', async () => {
    // moto creates node groups ACTIVE at once; report the create step's first look as CREATING to drive the loop
    // with the real steps (the Check step reads moto's real answer).
    const { handler: create } = await import('../../functions/eks-managed-create-node-group/handler.js');
    const record = await run(changeFor(applyGroup(managedSpec('slow', { nodeLabels: {}, taints: [] }), 'team-d'), 'apply'), 'create (one wait loop)', {
      handlers: { 'Create Node Group': async (input) => ({ ...((await create(input as never, {} as never)) as object), settled: false, status: 'CREATING' }) },
    });
    expectSucceeded(record);
    const at = record.path.indexOf('Create Node Group');
    expect(record.path.slice(at, at + 6)).toEqual(['Create Node Group', 'Has EKS Finished?', 'Wait For EKS', 'Check Node Group Progress', 'Has EKS Finished?', 'Decide Next Change']);
    expect(getGroup('team-d', 'slow')!.status!.currentState).toBe('Ready');
    expectSucceeded(await deleteGroup('team-d', 'slow'));
  });

  test('Delete: node groups and the created node role go, a role you gave stays, then the object is released', async () => {
    const other = { clusterName: CLUSTER, namespace: 'team-c', name: 'batch' };
    expectSucceeded(await run(changeFor(applyGroup(managedSpec('batch', { nodeLabels: {}, taints: [] }), 'team-c'), 'apply')));
    expect(await roleExists(roleName(other, 'nodes'))).toBe(true);

    for (const [ns, name, label] of [['team-c', 'batch', 'delete (with created role)'], ['team-a', 'workers', 'delete (own role)']] as const) {
      const record = await deleteGroup(ns, name, label);
      expectSucceeded(record);
      expect(record.path.at(-1)).toBe('Deleted');
      expect(getGroup(ns, name)).toBeUndefined();
    }
    expect(await nodeGroups()).toEqual([]);
    const roles = ((await aws.iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName);
    expect(roles.filter((r) => r?.includes('-nodes-'))).toEqual([]);
    expect(roles).toContain('team-a-nodes');
  });
});
