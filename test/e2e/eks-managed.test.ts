// eks-managed apply and delete, end to end on the local control plane: kubectl apply → the relay → moto's
// EventBridge → the rule's queue → the dispatcher → the real ASL with the real handlers. Each test works in its own
// namespace. Nothing of moto's answers is faked (tags on a node group come from the test bed's emulated TagResource,
// docs/emulation.md); what moto cannot do (UpdateNodegroupVersion, CREATING/UPDATING/DEGRADED states) is covered by
// the unit tests on a stubbed client, and the one still-CREATING look the wait loop needs comes from intercepting our
// own create step.
import { DescribeNodegroupCommand, ListNodegroupsCommand, type Nodegroup } from '@aws-sdk/client-eks';
import { CreateRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { nodeGroupName, OWNERSHIP_TAGS, roleName, type GroupRef } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { CREATED_WITH_TAG } from '../../functions/eks-managed/plan.js';
import { readStamp } from '../../functions/shared/stamp.js';
import { conditionOf, instanceGroup, useControlPlane } from '../support/e2e.js';

const CLUSTER = 'my-eks-cluster';
const bed = useControlPlane({
  interceptable: { 'eks-managed-apply': ['Read Instance Group', 'Create Node Group'] },
});

const refIn = (namespace: string, name = 'workers'): GroupRef => ({ clusterName: CLUSTER, namespace, name });

/** The node groups of one InstanceGroup, by the ownership tags on them. */
async function nodeGroupsOf(namespace: string, name = 'workers'): Promise<Nodegroup[]> {
  const names = (await bed.aws.eks.send(new ListNodegroupsCommand({ clusterName: CLUSTER }))).nodegroups ?? [];
  const all = await Promise.all(names.map(async (n) => (await bed.aws.eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: n }))).nodegroup!));
  return all.filter((n) => n.tags?.[OWNERSHIP_TAGS.namespace] === namespace && n.tags?.[OWNERSHIP_TAGS.name] === name);
}

interface ManagedFields {
  minSize?: number;
  maxSize?: number;
  strategy?: Record<string, unknown>;
  [field: string]: unknown;
}

/** An eks-managed group on the seeded cluster: every field AWS takes at creation is set. */
function managedSpec(name: string, { minSize = 1, maxSize = 3, strategy, ...configuration }: ManagedFields = {}): InstanceGroup {
  return instanceGroup(name, {
    provisioner: 'eks-managed',
    ...(strategy ? { strategy } : {}),
    'eks-managed': {
      minSize,
      maxSize,
      configuration: {
        clusterName: CLUSTER,
        subnets: bed.account.subnetIds,
        instanceTypes: ['m5.large'],
        volSize: 50,
        amiType: 'AL2_x86_64',
        capacityType: 'SPOT',
        keyPairName: bed.account.keyPairName,
        securityGroups: [bed.account.securityGroupId],
        nodeLabels: { team: 'a', tier: 'web' },
        taints: [
          { key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' },
          { key: 'spot', effect: 'PREFER_NO_SCHEDULE' },
        ],
        tags: [{ key: 'cost-center', value: '42' }],
        ...configuration,
      },
    },
  });
}

/** Fields of a replacement: AWS cannot change instance types or disk size in place. */
const REPLACEMENT = { minSize: 1, maxSize: 5, nodeLabels: { team: 'a', zone: 'blue' }, taints: [], instanceTypes: ['m5.xlarge'], volSize: 80 };

describe('eks-managed on the local control plane', () => {
  test('Create: every field reaches the node group; desired = min; the node role is created; status fills the columns', async () => {
    const group = await bed.ready('team-a', managedSpec('workers'));
    const ref = refIn('team-a');
    const name = nodeGroupName(ref, 0);
    const [ng, ...others] = await nodeGroupsOf('team-a');
    expect(others).toEqual([]);
    const role = roleName(ref, 'nodes');
    expect(ng).toMatchObject({
      nodegroupName: name,
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
      subnets: bed.account.subnetIds,
      instanceTypes: ['m5.large'],
      diskSize: 50,
      amiType: 'AL2_x86_64',
      capacityType: 'SPOT',
      remoteAccess: { ec2SshKey: 'my-key', sourceSecurityGroups: [bed.account.securityGroupId] },
      labels: { team: 'a', tier: 'web' },
      taints: [
        { key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' },
        { key: 'spot', effect: 'PREFER_NO_SCHEDULE' },
      ],
      // Under instance-manager's own IAM path, to which its PassRole is scoped (issue 13).
      nodeRole: `arn:aws:iam::123456789012:role/instance-manager/${role}`,
    });
    expect(ng!.tags).toMatchObject({ 'cost-center': '42', [OWNERSHIP_TAGS.namespace]: 'team-a', [OWNERSHIP_TAGS.name]: 'workers' });
    expect(ng!.tags?.[CREATED_WITH_TAG]).toMatch(/^it:[0-9a-f]{8} sn:[0-9a-f]{8} /);
    const policies = (await bed.aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
    expect(policies.map((p) => p.PolicyName).sort()).toEqual(['AmazonEC2ContainerRegistryReadOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']);

    const asg = ng!.resources!.autoScalingGroups![0]!.name!;
    expect(group.status).toMatchObject({
      currentState: 'Ready',
      currentMin: 1,
      currentMax: 3,
      nodeGroupName: name,
      activeScalingGroupName: asg,
      nodesInstanceRoleArn: ng!.nodeRole,
      lifecycle: 'spot',
      observedGeneration: 1,
    });
    expect(conditionOf(group, 'Degraded')).toMatchObject({ status: 'False', reason: 'Healthy' });
    expect(bed.kubectl(['get', 'instancegroups', '-n', 'team-a'])).toMatch(new RegExp(`workers\\s+Ready\\s+1\\s+3\\s+${asg}\\s+eks-managed`));
    expect((await bed.execution(group)).path.at(-1)).toBe('Ready');
  });

  test('ReapplyUnchanged: a new generation with an equivalent spec changes nothing', async () => {
    // capacityType left out (ON_DEMAND by default), then spelled out: generation 2, the same node group.
    await bed.ready('reapply', managedSpec('workers', { capacityType: undefined }));
    const [before] = await nodeGroupsOf('reapply');
    expect(before!.capacityType).toBe('ON_DEMAND');

    const applied = bed.apply('reapply', managedSpec('workers', { capacityType: 'ON_DEMAND' }));
    expect(applied.metadata.generation).toBe(2);
    const group = await bed.settled(applied.metadata);
    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 2 });
    expect(conditionOf(group)!.message).toContain('matches the spec; nothing to change');

    const { path } = await bed.execution(group);
    const changes = ['Create Node Group', 'Update Size, Labels And Taints', 'Update Kubernetes Version', 'Delete Replaced Node Group'];
    expect(path.filter((s) => changes.includes(s))).toEqual([]);
    const after = await nodeGroupsOf('reapply');
    expect(after.map((n) => [n.nodegroupName, n.modifiedAt])).toEqual([[before!.nodegroupName, before!.modifiedAt]]);
    // The one write is the stamp (Update Tags): the node group names generation 2 as the last to have applied to it.
    expect(readStamp(after[0]!.tags ?? {})).toEqual({ uid: group.metadata.uid, generation: 2 });
  });

  test('InPlace: size, labels and taints change through UpdateNodegroupConfig; the desired size moves only to stay within bounds', async () => {
    const ref = refIn('in-place');
    await bed.ready('in-place', managedSpec('workers'));
    const changed = { minSize: 2, maxSize: 5, nodeLabels: { team: 'a', zone: 'blue' }, taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }] };
    const group = await bed.ready('in-place', managedSpec('workers', changed));
    expect((await bed.execution(group)).path).toContain('Update Size, Labels And Taints');

    const [ng] = await nodeGroupsOf('in-place');
    expect(ng!.scalingConfig).toEqual({ minSize: 2, maxSize: 5, desiredSize: 2 });
    // Every node also names its group (issue 11); those labels never show up as a change.
    expect(ng!.labels).toEqual({ team: 'a', zone: 'blue', 'instancemgr.keikoproj.io/namespace': 'in-place', 'instancemgr.keikoproj.io/instancegroup': 'workers' });
    expect(ng!.taints).toEqual([{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }]);
    expect(group.status).toMatchObject({ currentState: 'Ready', currentMin: 2, currentMax: 5, observedGeneration: 2 });
    expect(conditionOf(group)!.message).toContain(
      `Updated node group ${nodeGroupName(ref, 0)}: size 1-3 → 2-5 (desired 1 → 2 to stay within the new bounds); labels zone=blue, -tier; taints -spot:PREFER_NO_SCHEDULE`,
    );

    // Lowering min again leaves the desired size where it is: it is never reset to min on update.
    await bed.ready('in-place', managedSpec('workers', { ...changed, minSize: 1 }));
    expect((await nodeGroupsOf('in-place'))[0]!.scalingConfig).toEqual({ minSize: 1, maxSize: 5, desiredSize: 2 });
  });

  test('ReplacementRequired: instance types and disk size cannot change in place; without replace, status says what to do', async () => {
    await bed.ready('replacement-required', managedSpec('workers'));
    const [before] = await nodeGroupsOf('replacement-required');
    const { group, execution } = await bed.failing('replacement-required', managedSpec('workers', REPLACEMENT));

    expect(conditionOf(group)).toMatchObject({ status: 'False', reason: 'ReplacementRequired' });
    expect(conditionOf(group)!.message).toContain('set spec.strategy.replace: true');
    expect(group.status!.lastExecution?.retryable).toBe(false);
    expect(bed.events('replacement-required', 'ReplacementRequired').map((e) => e.type)).toEqual(['Warning']);
    expect(execution.error).toBe('ReplacementRequiredError');
    expect(JSON.parse(execution.cause!).errorMessage).toMatch(/^AWS cannot change instanceTypes \(m5\.large → m5\.xlarge\), volSize \(50 GiB → 80 GiB\) on existing node group/);

    const after = await nodeGroupsOf('replacement-required');
    expect(after).toEqual([expect.objectContaining({ nodegroupName: before!.nodegroupName, instanceTypes: ['m5.large'], diskSize: 50, taints: before!.taints })]);
  });

  test('Replace: with strategy.replace the new node group is created first, then the old one deleted; the desired size carries over', async () => {
    const ref = refIn('replace');
    await bed.ready('replace', managedSpec('workers', { minSize: 2, maxSize: 5 }));
    const group = await bed.ready('replace', managedSpec('workers', { ...REPLACEMENT, strategy: { type: 'managed', replace: true } }));
    const { path } = await bed.execution(group);
    const createAt = path.indexOf('Create Node Group');
    expect(createAt).toBeGreaterThan(0);
    expect(path.indexOf('Delete Replaced Node Group')).toBeGreaterThan(createAt);

    const [ng, ...others] = await nodeGroupsOf('replace');
    expect(others).toEqual([]);
    expect(ng).toMatchObject({
      nodegroupName: nodeGroupName(ref, 1),
      instanceTypes: ['m5.xlarge'],
      diskSize: 80,
      scalingConfig: { minSize: 1, maxSize: 5, desiredSize: 2 },
    });
    expect(group.status).toMatchObject({ currentState: 'Ready', nodeGroupName: nodeGroupName(ref, 1), activeScalingGroupName: ng!.resources!.autoScalingGroups![0]!.name });
    expect(conditionOf(group)!.message).toContain(
      `Created node group ${nodeGroupName(ref, 1)} to replace ${nodeGroupName(ref, 0)}: instanceTypes (m5.large → m5.xlarge), volSize (50 GiB → 80 GiB)`,
    );
    expect(conditionOf(group)!.message).toContain(`Deleted node group ${nodeGroupName(ref, 0)}, replaced by ${nodeGroupName(ref, 1)}`);
  });

  test('GivenNodeRole: switching to your own role replaces the node group and deletes only the role instance-manager created', async () => {
    const ref = refIn('given-role');
    await bed.ready('given-role', managedSpec('workers'));
    expect(await bed.roleExists(roleName(ref, 'nodes'))).toBe(true);
    const own = (
      await bed.aws.iam.send(
        new CreateRoleCommand({
          RoleName: 'given-role-nodes',
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        }),
      )
    ).Role!.Arn!;
    const group = await bed.ready('given-role', managedSpec('workers', { ...REPLACEMENT, nodeRole: own, strategy: { type: 'managed', replace: true } }));

    expect((await nodeGroupsOf('given-role')).map((n) => [n.nodegroupName, n.nodeRole])).toEqual([[nodeGroupName(ref, 1), own]]);
    expect(await bed.roleExists(roleName(ref, 'nodes'))).toBe(false);
    expect(await bed.roleExists('given-role-nodes')).toBe(true);
    expect(group.status).toMatchObject({ currentState: 'Ready', nodesInstanceRoleArn: own });
  });

  test('SupersededGeneration: an execution whose generation was replaced while it started ends without touching the node group', async () => {
    const ref = { namespace: 'superseded', name: 'workers' };
    await bed.ready('superseded', managedSpec('workers'));
    const [before] = await nodeGroupsOf('superseded');
    // Generation 2 changes size and labels; generation 3, back to the first spec, arrives just as generation 2's
    // execution starts.
    const { older: execution, group } = await bed.supersede('eks-managed-apply', ref, managedSpec('workers', { maxSize: 6, nodeLabels: { team: 'b' } }), managedSpec('workers'));
    expect(group.status).toMatchObject({ currentState: 'Ready', currentMax: 3, observedGeneration: 3 });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path.at(-1)).toBe('Superseded By A Newer Generation');
    expect(execution.path).not.toContain('Decide Next Change');
    const after = await nodeGroupsOf('superseded');
    expect(after.map((n) => [n.nodegroupName, n.modifiedAt, n.scalingConfig?.maxSize])).toEqual([[before!.nodegroupName, before!.modifiedAt, 3]]);
  });

  test('BadInput: a missing subnet, key pair, security group, node role or cluster ends in Error naming each', async () => {
    const broken = bed.apply(
      'bad-input',
      managedSpec('broken', {
        subnets: ['subnet-00000000', bed.account.subnetIds[0]],
        keyPairName: 'no-such-key',
        securityGroups: ['sg-00000000'],
        nodeRole: 'arn:aws:iam::123456789012:role/no-such-role',
      }),
    );
    const elsewhere = bed.apply('bad-input', managedSpec('elsewhere', { clusterName: 'no-such-cluster' }));

    const group = await bed.settled(broken.metadata);
    expect(group.status!.currentState).toBe('Error');
    expect(conditionOf(group)).toMatchObject({ reason: 'MissingReference' });
    const execution = await bed.execution(group);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('MissingReferenceError');
    for (const text of [
      'spec.eks-managed.configuration.subnets: subnet-00000000 does not exist in us-west-2',
      'spec.eks-managed.configuration.keyPairName: key pair no-such-key does not exist in us-west-2',
      'spec.eks-managed.configuration.securityGroups: sg-00000000 does not exist in us-west-2',
      'spec.eks-managed.configuration.nodeRole: IAM role arn:aws:iam::123456789012:role/no-such-role does not exist',
    ]) {
      expect(execution.cause).toContain(text);
      expect(conditionOf(group)!.message).toContain(text);
    }
    expect(execution.path).not.toContain('Create Node Group');

    const noCluster = await bed.settled(elsewhere.metadata);
    expect(noCluster.status!.currentState).toBe('Error');
    expect(conditionOf(noCluster)!.message).toContain('spec.eks-managed.configuration.clusterName: EKS cluster no-such-cluster does not exist in us-west-2');
    expect(await bed.roleExists(roleName({ clusterName: 'no-such-cluster', namespace: 'bad-input', name: 'elsewhere' }, 'nodes'))).toBe(false);
    expect([...(await nodeGroupsOf('bad-input', 'broken')), ...(await nodeGroupsOf('bad-input', 'elsewhere'))]).toEqual([]);

    const deletes = await Promise.all([bed.remove(broken.metadata), bed.remove(elsewhere.metadata)]);
    expect(deletes.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  test('WaitLoop: a node group still CREATING goes through Wait For EKS and Check Node Group Progress until EKS is done', async () => {
    // moto creates node groups ACTIVE at once; the create step's first look reports CREATING so the real loop
    // runs (the Check step reads moto's real answer).
    bed.intercept('eks-managed-apply', 'Create Node Group', { namespace: 'wait-loop', name: 'slow' }, async (event, context, real) => ({
      ...((await real(event, context)) as object),
      settled: false,
      status: 'CREATING',
    }));
    const group = await bed.ready('wait-loop', managedSpec('slow', { nodeLabels: {}, taints: [] }));
    const { path } = await bed.execution(group);
    const at = path.indexOf('Create Node Group');
    expect(path.slice(at, at + 6)).toEqual(['Create Node Group', 'Has EKS Finished?', 'Wait For EKS', 'Check Node Group Progress', 'Has EKS Finished?', 'Decide Next Change']);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });

  test('Delete: node groups and the created node role go, a role you gave stays, then the object is released', async () => {
    const own = (
      await bed.aws.iam.send(new CreateRoleCommand({ RoleName: 'delete-own-nodes', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }))
    ).Role!.Arn!;
    const [created, given] = await Promise.all([
      bed.ready('delete', managedSpec('batch', { nodeLabels: {}, taints: [] })),
      bed.ready('delete', managedSpec('workers', { nodeRole: own })),
    ]);
    expect(await bed.roleExists(roleName(refIn('delete', 'batch'), 'nodes'))).toBe(true);

    for (const group of [created!, given!]) {
      const execution = await bed.remove(group.metadata);
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.path.at(-1)).toBe('Deleted');
      expect(bed.group(group.metadata)).toBeUndefined();
      expect(await nodeGroupsOf('delete', group.metadata.name)).toEqual([]);
    }
    expect(await bed.roleExists(roleName(refIn('delete', 'batch'), 'nodes'))).toBe(false);
    expect(await bed.roleExists('delete-own-nodes')).toBe(true);
    expect(bed.events('delete', 'Deleted').map((e) => e.object).sort()).toEqual(['batch', 'workers']);
  });
});
