import type { Nodegroup } from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, ReplacementRequiredError } from '../../../core/errors/index.js';
import { nodeGroupName, ownershipTags, OWNERSHIP_TAGS } from '../../../core/names/index.js';
import type { EksManagedSpec } from '../../../core/spec/types.js';
import {
  CREATED_WITH_TAG,
  configUpdate,
  createRequest,
  degradedOf,
  planApply,
  planDelete,
  replaceFieldChanges,
  revisionsByName,
  versionUpdate,
  type DesiredNodeGroup,
  type OwnedNodeGroup,
} from '../../../functions/eks-managed/plan.js';

const ref = { clusterName: 'my-eks-cluster', namespace: 'team-a', name: 'workers' };
const ROLE = 'arn:aws:iam::123456789012:role/nodes';

function spec(over: Partial<EksManagedSpec> = {}): EksManagedSpec {
  return {
    provisioner: 'eks-managed',
    clusterName: 'my-eks-cluster',
    minSize: 1,
    maxSize: 3,
    subnets: ['subnet-b', 'subnet-a'],
    instanceTypes: ['m5.large'],
    diskSize: 50,
    capacityType: 'ON_DEMAND',
    labels: { team: 'a' },
    taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
    tags: { 'cost-center': '42' },
    replace: false,
    ...over,
  };
}

const desired = (over: Partial<EksManagedSpec> = {}, nodeRoleArn = ROLE): DesiredNodeGroup => ({ ref, spec: spec(over), nodeRoleArn });
const ctx = { foreign: [], idempotencyKey: 'arn:aws:states:us-west-2:123456789012:execution:sm:run-1' };

/** The node group EKS would report after creating `d` under revision `revision`, with EKS's defaults filled in. */
function created(d: DesiredNodeGroup, revision = 0, over: Partial<Nodegroup> = {}): OwnedNodeGroup {
  const req = createRequest(d, nodeGroupName(ref, revision), 'key');
  return {
    revision,
    nodegroup: {
      nodegroupName: req.nodegroupName,
      nodegroupArn: `arn:aws:eks:us-west-2:123456789012:nodegroup/my-eks-cluster/${req.nodegroupName}/uuid`,
      clusterName: req.clusterName,
      status: 'ACTIVE',
      scalingConfig: req.scalingConfig,
      subnets: req.subnets,
      instanceTypes: req.instanceTypes ?? ['t3.medium'],
      diskSize: req.diskSize,
      amiType: req.amiType ?? 'AL2_x86_64',
      capacityType: req.capacityType,
      nodeRole: req.nodeRole,
      labels: req.labels ?? {},
      taints: req.taints ?? [],
      tags: req.tags,
      version: '1.31',
      releaseVersion: '1.31.0-20241024',
      remoteAccess: req.remoteAccess,
      resources: { autoScalingGroups: [{ name: `eks-${req.nodegroupName}` }] },
      health: { issues: [] },
      ...over,
    },
  };
}

describe('eks-managed: the create request', () => {
  test('desired size = minSize, every field the spec sets, optional ones left to EKS when absent', () => {
    const req = createRequest(desired({ amiType: 'AL2023_x86_64_STANDARD', version: '1.31', remoteAccess: { keyPairName: 'my-key', sourceSecurityGroups: ['sg-1'] }, capacityType: 'SPOT' }), 'ng', 'key');
    expect(req).toMatchObject({
      clusterName: 'my-eks-cluster',
      nodegroupName: 'ng',
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
      subnets: ['subnet-b', 'subnet-a'],
      nodeRole: ROLE,
      instanceTypes: ['m5.large'],
      diskSize: 50,
      amiType: 'AL2023_x86_64_STANDARD',
      version: '1.31',
      capacityType: 'SPOT',
      remoteAccess: { ec2SshKey: 'my-key', sourceSecurityGroups: ['sg-1'] },
      labels: { team: 'a' },
      taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
    });
    expect(req.tags).toMatchObject({ 'cost-center': '42', ...ownershipTags(ref) });
    expect(req.tags![CREATED_WITH_TAG]).toMatch(/^it:[0-9a-f]{8} sn:[0-9a-f]{8} ds:[0-9a-f]{8} ami:[0-9a-f]{8} ct:[0-9a-f]{8} ra:[0-9a-f]{8} nr:[0-9a-f]{8}$/);
    expect(req.clientRequestToken).toMatch(/^[0-9a-f]{8}$/);

    const bare = createRequest(desired({ instanceTypes: [], labels: {}, taints: [] }), 'ng', 'key');
    for (const field of ['instanceTypes', 'amiType', 'version', 'releaseVersion', 'remoteAccess', 'labels', 'taints']) expect(bare).not.toHaveProperty(field);
  });

  test('user tags cannot override ownership tags, and aws: tags are dropped', () => {
    const req = createRequest(desired({ tags: { [OWNERSHIP_TAGS.name]: 'someone-else', 'aws:x': 'y' } }), 'ng', 'key');
    expect(req.tags![OWNERSHIP_TAGS.name]).toBe('workers');
    expect(req.tags).not.toHaveProperty('aws:x');
  });

  test('the same execution sends the same idempotency token; another execution another one', () => {
    expect(createRequest(desired(), 'ng', 'a').clientRequestToken).toBe(createRequest(desired(), 'ng', 'a').clientRequestToken);
    expect(createRequest(desired(), 'ng', 'a').clientRequestToken).not.toBe(createRequest(desired(), 'ng', 'b').clientRequestToken);
  });
});

describe('eks-managed: what changed', () => {
  test('an unchanged spec is nothing to do, even where EKS filled in defaults (AMI type, instance types)', () => {
    const d = desired({ instanceTypes: [] });
    const owned = created(d, 0, { amiType: 'AL2_x86_64', instanceTypes: ['t3.medium'], remoteAccess: { ec2SshKey: 'eksKeypair' } });
    const decision = planApply(d, [owned], ctx);
    expect(decision.action).toBe('none');
    expect(decision.observed).toEqual({
      currentMin: 1,
      currentMax: 3,
      nodeGroupName: nodeGroupName(ref, 0),
      activeScalingGroupName: `eks-${nodeGroupName(ref, 0)}`,
      nodesInstanceRoleArn: ROLE,
      lifecycle: 'normal',
      // ACTIVE: EKS says the desired nodes joined
      desiredNodes: 1,
      readyNodes: 1,
    });
    expect(decision.degraded).toBeUndefined();
  });

  test.each([
    ['instanceTypes', { instanceTypes: ['m5.xlarge'] }, 'instanceTypes (m5.large → m5.xlarge)'],
    ['subnets', { subnets: ['subnet-c'] }, 'subnets (subnet-b, subnet-a → subnet-c)'],
    ['disk size', { diskSize: 80 }, 'volSize (50 GiB → 80 GiB)'],
    ['AMI type', { amiType: 'BOTTLEROCKET_x86_64' }, 'amiType (AL2_x86_64 → BOTTLEROCKET_x86_64)'],
    ['capacity type', { capacityType: 'SPOT' as const }, 'capacityType (ON_DEMAND → SPOT)'],
    ['remote access', { remoteAccess: { keyPairName: 'my-key', sourceSecurityGroups: [] } }, 'keyPairName/securityGroups (none → key pair my-key)'],
  ])('%s cannot change in place: ReplacementRequiredError says what and how', (_what, change, text) => {
    const owned = created(desired());
    const run = () => planApply(desired(change), [owned], ctx);
    expect(run).toThrow(ReplacementRequiredError);
    expect(run).toThrow(text);
    expect(run).toThrow('set spec.strategy.replace: true');
  });

  test('removing a field that was set (AMI type back to the EKS default) is a change too', () => {
    const owned = created(desired({ amiType: 'AL2023_x86_64_STANDARD' }));
    expect(() => planApply(desired(), [owned], ctx)).toThrow("amiType (AL2023_x86_64_STANDARD → EKS's default)");
  });

  test('a different node role needs a replacement', () => {
    const changes = replaceFieldChanges(desired({}, 'arn:aws:iam::123456789012:role/other'), created(desired()).nodegroup);
    expect(changes.map((c) => c.field)).toEqual(['nodeRole']);
  });

  test('without the created-with tag (not created by this version), the reported values are compared', () => {
    const owned = created(desired());
    delete owned.nodegroup.tags![CREATED_WITH_TAG];
    expect(replaceFieldChanges(desired(), owned.nodegroup)).toEqual([]);
    expect(replaceFieldChanges(desired({ diskSize: 20 }), owned.nodegroup).map((c) => c.field)).toEqual(['diskSize']);
  });
});

describe('eks-managed: changes made in place', () => {
  test('size: min/max updated, desired kept when it stays within bounds, moved when it does not', () => {
    const ng = created(desired()).nodegroup;
    ng.scalingConfig = { minSize: 1, maxSize: 3, desiredSize: 3 };
    expect(configUpdate(spec({ minSize: 2, maxSize: 6 }), ng).input?.scalingConfig).toEqual({ minSize: 2, maxSize: 6, desiredSize: 3 });
    expect(configUpdate(spec({ minSize: 0, maxSize: 2 }), ng).input?.scalingConfig).toEqual({ minSize: 0, maxSize: 2, desiredSize: 2 });
    expect(configUpdate(spec({ minSize: 4, maxSize: 6 }), ng).changes[0]).toBe('size 1-3 → 4-6 (desired 3 → 4 to stay within the new bounds)');
    expect(configUpdate(spec({ minSize: 1, maxSize: 3 }), ng).input).toBeUndefined();
  });

  test('labels and taints: added, changed and removed in one UpdateNodegroupConfig', () => {
    const ng = created(desired()).nodegroup;
    ng.labels = { team: 'a', old: 'x' };
    ng.taints = [
      { key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' },
      { key: 'gone', effect: 'NO_EXECUTE' },
    ];
    const update = configUpdate(
      spec({ labels: { team: 'b', new: 'y' }, taints: [{ key: 'dedicated', value: 'api', effect: 'NO_SCHEDULE' }] }),
      ng,
    );
    expect(update.input).toEqual({
      labels: { addOrUpdateLabels: { team: 'b', new: 'y' }, removeLabels: ['old'] },
      taints: { addOrUpdateTaints: [{ key: 'dedicated', value: 'api', effect: 'NO_SCHEDULE' }], removeTaints: [{ key: 'gone', effect: 'NO_EXECUTE' }] },
    });
    expect(update.changes).toEqual(['labels team=b, new=y, -old', 'taints dedicated=api:NO_SCHEDULE, -gone:NO_EXECUTE']);
  });

  test('version and release version: one UpdateNodegroupVersion, the version always named so EKS does not jump to the cluster version', () => {
    const ng = created(desired()).nodegroup;
    expect(versionUpdate(spec({ version: '1.32' }), ng)).toEqual({ input: { version: '1.32' }, changes: ['Kubernetes version 1.31 → 1.32'] });
    expect(versionUpdate(spec({ releaseVersion: '1.31.1-20241201' }), ng)).toEqual({
      input: { version: '1.31', releaseVersion: '1.31.1-20241201' },
      changes: ['AMI release 1.31.0-20241024 → 1.31.1-20241201'],
    });
    expect(versionUpdate(spec(), ng).input).toBeUndefined(); // left out: EKS's choice stands
  });

  test('one in-place change per decision: config first, then version, then tags', () => {
    const d = desired({ minSize: 2, version: '1.32', tags: { 'cost-center': '43' } });
    const owned = created(desired());
    const first = planApply(d, [owned], ctx);
    expect(first).toMatchObject({ action: 'update-config', nodeGroupName: nodeGroupName(ref, 0), waitFor: 'active' });
    expect(first.updateConfig).toMatchObject({ clusterName: 'my-eks-cluster', nodegroupName: nodeGroupName(ref, 0), scalingConfig: { minSize: 2, maxSize: 3, desiredSize: 2 } });

    owned.nodegroup.scalingConfig = { minSize: 2, maxSize: 3, desiredSize: 2 };
    const second = planApply(d, [owned], ctx);
    expect(second).toMatchObject({ action: 'update-version', updateVersion: { clusterName: 'my-eks-cluster', nodegroupName: nodeGroupName(ref, 0), version: '1.32' } });
    expect(second.done).toBe(`Updated node group ${nodeGroupName(ref, 0)}: Kubernetes version 1.31 → 1.32`);

    owned.nodegroup.version = '1.32';
    const third = planApply(d, [owned], ctx);
    expect(third).toMatchObject({ action: 'update-tags', updateTags: { resourceArn: owned.nodegroup.nodegroupArn, tag: { 'cost-center': '43' }, untag: [] } });

    owned.nodegroup.tags = { ...owned.nodegroup.tags, 'cost-center': '43' };
    expect(planApply(d, [owned], ctx).action).toBe('none');
  });

  test('tags: a removed user tag is untagged; the created-with tag is never touched', () => {
    const owned = created(desired({ tags: { a: '1', b: '2' } }));
    const decision = planApply(desired({ tags: { a: '1' } }), [owned], ctx);
    expect(decision.updateTags).toMatchObject({ tag: {}, untag: ['b'] });
  });
});

describe('eks-managed: replacing a node group', () => {
  const replacing = desired({ instanceTypes: ['m5.xlarge'], replace: true });

  test('with strategy.replace: the next revision is created, keeping the old desired size', () => {
    const old = created(desired(), 0, { scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 3 } });
    const decision = planApply(replacing, [old], ctx);
    expect(decision).toMatchObject({ action: 'create', nodeGroupName: nodeGroupName(ref, 1), waitFor: 'active' });
    expect(decision.create).toMatchObject({ nodegroupName: nodeGroupName(ref, 1), instanceTypes: ['m5.xlarge'], scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 3 } });
    expect(decision.summary).toBe(`Creating node group ${nodeGroupName(ref, 1)} to replace ${nodeGroupName(ref, 0)}: instanceTypes (m5.large → m5.xlarge)`);
  });

  test('the new node group is waited for, then the old one deleted, then nothing is left to do', () => {
    const old = created(desired(), 0);
    const fresh = created(replacing, 1, { status: 'CREATING' });
    expect(planApply(replacing, [old, fresh], ctx)).toMatchObject({ action: 'wait', nodeGroupName: nodeGroupName(ref, 1), waitFor: 'active' });
    fresh.nodegroup.status = 'ACTIVE';
    expect(planApply(replacing, [old, fresh], ctx)).toMatchObject({ action: 'delete', nodeGroupName: nodeGroupName(ref, 0), waitFor: 'gone' });
    old.nodegroup.status = 'DELETING';
    expect(planApply(replacing, [old, fresh], ctx)).toMatchObject({ action: 'wait', nodeGroupName: nodeGroupName(ref, 0), waitFor: 'gone' });
    expect(planApply(replacing, [fresh], ctx)).toMatchObject({ action: 'none', nodeGroupName: nodeGroupName(ref, 1) });
  });

  test('reverting the spec mid-replacement keeps the old node group and deletes the new one', () => {
    const old = created(desired(), 0);
    const fresh = created(replacing, 1);
    expect(planApply(desired(), [old, fresh], ctx)).toMatchObject({ action: 'delete', nodeGroupName: nodeGroupName(ref, 1) });
  });

  test('a name this group would use, held by a node group that is not ours, is a NameConflictError', () => {
    const old = created(desired(), 0);
    expect(() => planApply(replacing, [old], { ...ctx, foreign: [nodeGroupName(ref, 1)] })).toThrow(NameConflictError);
  });
});

describe('eks-managed: EKS states', () => {
  test('a node group being created or updated is waited for before anything else', () => {
    expect(planApply(desired({ minSize: 2 }), [created(desired(), 0, { status: 'UPDATING' })], ctx)).toMatchObject({ action: 'wait', waitFor: 'active' });
  });

  test('a node group EKS failed to create is deleted, then created again', () => {
    const failed = created(desired(), 0, { status: 'CREATE_FAILED', health: { issues: [{ code: 'AsgInstanceLaunchFailures', message: 'no capacity' }] } });
    const decision = planApply(desired(), [failed], ctx);
    expect(decision).toMatchObject({ action: 'delete', nodeGroupName: nodeGroupName(ref, 0) });
    expect(decision.summary).toContain('which EKS failed to create (AsgInstanceLaunchFailures: no capacity)');
    expect(planApply(desired(), [], ctx)).toMatchObject({ action: 'create', nodeGroupName: nodeGroupName(ref, 0) });
  });

  test('a node group EKS failed to delete stops the workflow with EKS\'s reason', () => {
    const old = created(desired(), 0, { status: 'DELETE_FAILED', health: { issues: [{ code: 'Ec2SecurityGroupDeletionFailure', message: 'in use' }] } });
    const fresh = created(desired({ diskSize: 80, replace: true }), 1);
    expect(() => planApply(desired({ diskSize: 80, replace: true }), [old, fresh], ctx)).toThrow(ProvisioningFailedError);
    expect(() => planApply(desired({ diskSize: 80, replace: true }), [old, fresh], ctx)).toThrow('Ec2SecurityGroupDeletionFailure: in use');
  });

  test('DEGRADED: Ready with a Degraded condition carrying EKS\'s health issues', () => {
    const owned = created(desired(), 0, {
      status: 'DEGRADED',
      health: { issues: [{ code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances', resourceIds: ['eks-asg-1'] }] },
    });
    const decision = planApply(desired(), [owned], ctx);
    expect(decision.action).toBe('none');
    expect(decision.degraded).toEqual({
      reason: 'AsgInstanceLaunchFailures',
      message: `EKS reports 1 health issue on node group ${nodeGroupName(ref, 0)}: AsgInstanceLaunchFailures: Could not launch Spot Instances (eks-asg-1)`,
    });
    expect(degradedOf({ ...owned.nodegroup, health: { issues: [] } })?.reason).toBe('NodeGroupDegraded');
    expect(degradedOf({ ...owned.nodegroup, status: 'ACTIVE', health: { issues: [] } })).toBeUndefined();
  });
});

describe('eks-managed: delete', () => {
  test('every node group of the group is deleted; one being created is waited for first', () => {
    const a = created(desired(), 0);
    const b = created(desired(), 1, { status: 'CREATING' });
    expect(planDelete([a, b])).toMatchObject({ action: 'wait', nodeGroupName: nodeGroupName(ref, 1), waitFor: 'active' });
    b.nodegroup.status = 'ACTIVE';
    expect(planDelete([a, b])).toMatchObject({ action: 'delete', nodeGroupName: nodeGroupName(ref, 1) });
    b.nodegroup.status = 'DELETING';
    expect(planDelete([a, b])).toMatchObject({ action: 'delete', nodeGroupName: nodeGroupName(ref, 0) });
    a.nodegroup.status = 'DELETING';
    expect(planDelete([a, b])).toMatchObject({ action: 'wait', waitFor: 'gone' });
    expect(planDelete([])).toMatchObject({ action: 'none' });
  });
});

test('revisionsByName finds every name a group can have and only those', () => {
  const names = revisionsByName(ref, 5);
  expect(names.get(nodeGroupName(ref, 0))).toBe(0);
  expect(names.get(nodeGroupName(ref, 4))).toBe(4);
  expect(names.has(nodeGroupName({ ...ref, namespace: 'team-b' }, 0))).toBe(false);
});
