// Multi-tenant safety (issue 13), end to end on the local control plane with the shipped installation policy (its
// defaults, with the relay's cluster named). A team member who may only create InstanceGroups in its own namespace
// tries each escalation with kubectl: each is refused at admission naming the field and the rule, or, when it slips
// past admission, ends in Error with the rule named; and the emulated AWS account holds nothing new.
import { ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import { ListFargateProfilesCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { ListInstanceProfilesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { stringify } from 'yaml';
import { maxUserTags } from '../../core/schema/tag-budget.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { applyPolicy } from '../../local/policy.js';
import { ESCALATION_POLICY, ESCALATIONS, TEAM_NAMESPACE } from '../fixtures/escalations.js';
import { conditionOf, instanceGroup, useControlPlane } from '../support/e2e.js';
import { clone, loadManifest, REFERENCE_SAMPLES } from '../support/fixtures.js';
import { kubectl, type KubectlResult } from '../support/kubectl.js';

const bed = useControlPlane({
  policy: ESCALATION_POLICY,
  interceptable: { 'eks-cf-apply': ['Check AWS References'] },
});

/** Everything a workflow could have created in the emulated account, as sorted names. */
async function awsInventory(): Promise<Record<string, string[]>> {
  const { cf, iam, eks, ec2 } = bed.aws;
  const stacks = ((await cf.send(new ListStacksCommand({}))).StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE');
  const perCluster = async (list: (cluster: string) => Promise<string[]>) =>
    (await Promise.all(bed.account.clusterNames.map(async (c) => (await list(c)).map((n) => `${c}/${n}`)))).flat();
  return {
    stacks: stacks.map((s) => s.StackName!).sort(),
    roles: ((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName!).sort(),
    instanceProfiles: ((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).map((p) => p.InstanceProfileName!).sort(),
    launchTemplates: ((await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateName!).sort(),
    nodegroups: (await perCluster(async (c) => (await eks.send(new ListNodegroupsCommand({ clusterName: c }))).nodegroups ?? [])).sort(),
    fargateProfiles: (await perCluster(async (c) => (await eks.send(new ListFargateProfilesCommand({ clusterName: c }))).fargateProfileNames ?? [])).sort(),
  };
}

let before: Record<string, string[]>;
let member: (args: string[], input?: string) => KubectlResult;

beforeAll(async () => {
  bed.namespace(TEAM_NAMESPACE);
  bed.namespace('team-b');
  // What a team gets: InstanceGroups in its own namespace, nothing else.
  bed.kubectl(['apply', '-f', '-'], stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'instancegroup-editor', namespace: TEAM_NAMESPACE },
    rules: [{ apiGroups: ['instancemgr.keikoproj.io'], resources: ['instancegroups'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
  }));
  bed.kubectl(['create', 'rolebinding', 'team-a-developers', '-n', TEAM_NAMESPACE, '--role', 'instancegroup-editor', '--group', 'team-a-developers']);
  const kubeconfig = bed.plane.testBed.kube!.kubeconfigFor('team-member');
  member = (args, input) => kubectl(kubeconfig, args, input);
  before = await awsInventory();
}, 60_000);

const manifest = (name: string, spec: object) => stringify({ ...instanceGroup(name, spec as never), metadata: { name, namespace: TEAM_NAMESPACE } });

describe('a team member with rights in one namespace', () => {
  test('has exactly a team member’s rights: groups in its namespace, not elsewhere, and not the policy', () => {
    const can = (...args: string[]) => member(['auth', 'can-i', ...args]).stdout.trim();
    expect(can('create', 'instancegroups.instancemgr.keikoproj.io', '-n', TEAM_NAMESPACE)).toBe('yes');
    expect(can('create', 'instancegroups.instancemgr.keikoproj.io', '-n', 'team-b')).toBe('no');
    expect(can('update', 'instancemanagerpolicies.instancemgr.keikoproj.io/default')).toBe('no');
    expect(can('update', 'configmaps/aws-auth', '-n', 'kube-system')).toBe('no');
    const compliant = member(['create', '--dry-run=server', '-f', '-'], manifest('compliant', loadManifest(REFERENCE_SAMPLES.eksCf).spec));
    expect(compliant).toMatchObject({ code: 0, stderr: '' });
  });

  test.each(ESCALATIONS.map((c, i) => [c.title, c, i] as const))('RefusedAtAdmission: %s', (_title, escalation, i) => {
    const result = member(['create', '-f', '-'], manifest(`escalation-${i}`, clone(escalation.spec)));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ValidatingAdmissionPolicy');
    expect(result.stderr).toContain(escalation.field);
    expect(result.stderr).toContain(`(${escalation.rule}`);
    expect(bed.kubectl(['get', 'ig', `escalation-${i}`, '-n', TEAM_NAMESPACE, '--ignore-not-found', '-o', 'name']).trim()).toBe('');
  });

  const cfConfig = (change: (c: Record<string, any>) => void) => {
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as Record<string, any>;
    change(spec['eks-cf'].configuration);
    return spec;
  };
  test.each([
    [
      `${maxUserTags('eks-cf') + 1} user tags, past AWS’s 50 with ours`,
      `spec.eks-cf.configuration.tags: at most ${maxUserTags('eks-cf')} tags`,
      cfConfig((c) => (c.tags = Array.from({ length: maxUserTags('eks-cf') + 1 }, (_, i) => ({ key: `k${i}`, value: 'v' })))),
    ],
    ['io1 without IOPS', 'spec.eks-cf.configuration.volIops', cfConfig((c) => (c.volType = 'io1'))],
    ['st1 below its 125 GiB minimum', 'spec.eks-cf.configuration.volSize', cfConfig((c) => ((c.volType = 'st1'), (c.volSize = 20)))],
    [
      'eks-managed key pair without source security groups (SSH open to the world)',
      'spec.eks-managed.configuration.keyPairName',
      { provisioner: 'eks-managed', 'eks-managed': { minSize: 1, maxSize: 2, configuration: { subnets: ['subnet-1a2b3c4d'], keyPairName: 'my-key' } } },
    ],
  ])('RefusedBySchema: %s', (_title, field, spec) => {
    const result = member(['create', '-f', '-'], manifest('limits', spec as object));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(field);
  });

  test('ClusterNameImmutable: moving a live group to another cluster (or dropping the name) is refused', async () => {
    // The reference sample as written: its placeholder subnets do not exist, so the group stops in Error having
    // created nothing, which is all this test needs.
    const created = member(['create', '-f', '-'], manifest('moving', loadManifest(REFERENCE_SAMPLES.eksCf).spec));
    expect(created).toMatchObject({ code: 0 });
    await bed.settled({ namespace: TEAM_NAMESPACE, name: 'moving' });
    for (const patch of [
      [{ op: 'replace', path: '/spec/eks-cf/configuration/clusterName', value: 'the-cluster-for-my-pods' }],
      [{ op: 'remove', path: '/spec/eks-cf/configuration/clusterName' }],
    ]) {
      const result = member(['patch', 'ig', 'moving', '-n', TEAM_NAMESPACE, '--type=json', '-p', JSON.stringify(patch)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('spec.eks-cf.configuration.clusterName cannot change');
    }
    expect(bed.group({ namespace: TEAM_NAMESPACE, name: 'moving' })!.spec['eks-cf']!.configuration.clusterName).toBe('my-eks-cluster');
  });

  test('PreflightAfterPolicyNarrowed: a group admitted under a wider policy ends in Error naming the rule, creating nothing', async () => {
    const ref = { namespace: TEAM_NAMESPACE, name: 'narrowed' };
    const sample = clone(loadManifest(REFERENCE_SAMPLES.eksCf)) as InstanceGroup;
    sample.metadata = { name: ref.name } as InstanceGroup['metadata'];
    Object.assign(sample.spec['eks-cf']!.configuration, { subnets: bed.account.subnetIds, securityGroups: [bed.account.securityGroupId], image: bed.account.imageId });
    // The administrator narrows the policy after admission, just before the workflow's pre-flight runs.
    bed.intercept('eks-cf-apply', 'Check AWS References', ref, async (event, context, real) => {
      applyPolicy(bed.plane.kubeconfigPath, { ...ESCALATION_POLICY, maxGroupSize: 2 });
      return real(event, context);
    });
    try {
      const { group, execution } = await bed.failing(TEAM_NAMESPACE, sample);
      expect(execution.error).toBe('PolicyViolationError');
      expect(conditionOf(group)).toMatchObject({ status: 'False', reason: 'PolicyViolation' });
      expect(conditionOf(group)!.message).toContain('spec.eks-cf.maxSize: 3 is above 2');
      expect(conditionOf(group)!.message).toContain('(maxGroupSize, maxGroupSizeByNamespace)');
      expect(execution.path).not.toContain('Create Or Update Stack');
    } finally {
      applyPolicy(bed.plane.kubeconfigPath, ESCALATION_POLICY);
    }
  });

  test('PreflightReadsTheShorthand: a Fargate selector whose namespace only kubectl’s annotation keeps is refused by the pre-flight', async () => {
    // Client-side `kubectl apply` drops the null-valued shorthand key, so admission sees a selector with labels only;
    // the workflow reads the user's spec back from the last-applied annotation and refuses kube-system there.
    const text = [
      'apiVersion: instancemgr.keikoproj.io/v1alpha1',
      'kind: InstanceGroup',
      'metadata:',
      '  name: shorthand',
      'spec:',
      '  provisioner: eks-fargate',
      '  eks-fargate:',
      '    clusterName: my-eks-cluster',
      '    subnets: [subnet-1a2b3c4d]',
      '    selectors:',
      '    - kube-system:',
      '      labels:',
      '        app: anything',
      '',
    ].join('\n');
    const applied = member(['apply', '-n', TEAM_NAMESPACE, '-f', '-'], text);
    expect(applied).toMatchObject({ code: 0 });
    const group = await bed.settled({ namespace: TEAM_NAMESPACE, name: 'shorthand' });
    expect(group.status!.currentState).toBe('Error');
    expect(conditionOf(group)).toMatchObject({ reason: 'PolicyViolation' });
    expect(conditionOf(group)!.message).toContain('spec.eks-fargate.selectors[0].namespace: namespace kube-system is not the group\'s own');
    expect(conditionOf(group)!.message).toContain('(fargateSelectorsMayNameOtherNamespaces)');
  });

  test('NothingNew: after every attempt, the emulated AWS account holds nothing it did not hold before', async () => {
    expect(await awsInventory()).toEqual(before);
  });
});
