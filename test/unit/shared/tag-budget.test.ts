// AWS allows 50 tags per resource. For each provisioner, a group with the most user tags the schema allows is built
// with the real request and template builders, and every resource it ends up with is counted as AWS would count
// it: the tags we send plus those AWS copies onto it (CloudFormation copies a stack's tags onto every resource of
// the stack and onto the instances of its Auto Scaling groups; `aws:` tags do not count). Each count must stay
// within 50, the most-tagged resource must reach exactly 50 (so the limit is the true one, not a guess), and every
// tag of ours must be one that core/schema/tag-budget.ts lists.
import type { IAMClient } from '@aws-sdk/client-iam';
import { ADDED_TAGS, AWS_MAX_TAGS, CLUSTER_NAME_PLACEHOLDER, maxUserTags, type TaggedProvisioner } from '../../../core/schema/tag-budget.js';
import { normalizeSpec, specProblems } from '../../../core/spec/normalize.js';
import type { EksCfSpec, EksFargateSpec, EksManagedSpec, InstanceGroupSpec, Tags } from '../../../core/spec/types.js';
import { planStackApply } from '../../../functions/eks-cf/stack-plan.js';
import { renderStack, type RenderedStack } from '../../../functions/eks-cf/template.js';
import { createRequest as createProfileRequest } from '../../../functions/eks-fargate/plan.js';
import { ensurePodExecutionRole } from '../../../functions/eks-fargate/pod-role.js';
import { createRequest as createNodeGroupRequest } from '../../../functions/eks-managed/node-group.js';
import { ensureNodeRole } from '../../../functions/eks-managed/node-role.js';
import { loadManifest, REFERENCE_SAMPLES } from '../../support/fixtures.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';

const CLUSTER = 'my-eks-cluster';
const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'hello-world' };
const stamp = { uid: '6f1c1d2e-0000-4000-8000-000000000001', generation: 12 };
const region = 'us-west-2';

/** `count` user tags whose keys collide with none of ours (the worst case: every one of them counts). */
const userTags = (count: number): [string, string][] => Array.from({ length: count }, (_, i) => [`team/cost-center-${i}`, `value-${i}`]);

type TagList = { Key?: string; Value?: string }[];
const fromList = (list: TagList): Tags => Object.fromEntries(list.map((t) => [t.Key ?? '', t.Value ?? '']));
/** What AWS counts against the limit. */
const counted = (tags: Tags) => Object.keys(tags).filter((k) => !k.toLowerCase().startsWith('aws:'));
const ours = (provisioner: TaggedProvisioner) => new Set(ADDED_TAGS[provisioner].map((k) => k.replace(CLUSTER_NAME_PLACEHOLDER, CLUSTER)));

/** The spec as a user writes it with `count` tags, read as the workflows read it (the shared validation included). */
function specWith(provisioner: TaggedProvisioner, count: number): InstanceGroupSpec {
  const tags = userTags(count);
  if (provisioner === 'eks-cf') {
    const raw = loadManifest(REFERENCE_SAMPLES.eksCf).spec;
    raw['eks-cf']!.configuration.tags = tags.map(([key, value]) => ({ key, value }));
    return raw;
  }
  if (provisioner === 'eks-managed') {
    return {
      provisioner,
      'eks-managed': {
        minSize: 1,
        maxSize: 3,
        configuration: { clusterName: CLUSTER, subnets: ['subnet-1a2b3c4d'], instanceType: 'm5.large', tags: tags.map(([key, value]) => ({ key, value })) },
      },
    } as InstanceGroupSpec;
  }
  const raw = loadManifest(REFERENCE_SAMPLES.eksFargate).spec;
  raw['eks-fargate']!.tags = Object.fromEntries(tags);
  return raw;
}

/** Every tag of ours on every resource, checked: within AWS's limit, listed in the budget, the worst at exactly 50. */
function expectWithinBudget(provisioner: TaggedProvisioner, resources: Record<string, Tags>): void {
  const user = new Set(userTags(maxUserTags(provisioner)).map(([k]) => k));
  const counts = Object.fromEntries(Object.entries(resources).map(([name, tags]) => [name, counted(tags).length]));
  expect(Object.entries(counts).filter(([, count]) => count > AWS_MAX_TAGS)).toEqual([]);
  for (const [name, tags] of Object.entries(resources)) {
    const unlisted = counted(tags).filter((k) => !user.has(k) && !ours(provisioner).has(k));
    expect({ resource: name, unlisted }).toEqual({ resource: name, unlisted: [] });
    // Every user tag reaches every resource the description promises.
    expect({ resource: name, missing: [...user].filter((k) => !(k in tags)) }).toEqual({ resource: name, missing: [] });
  }
  expect(Math.max(...Object.values(counts))).toBe(AWS_MAX_TAGS);
}

/** The tags a role is created with when it does not exist yet. */
async function createdRoleTags(ensure: (iam: IAMClient) => Promise<unknown>): Promise<Tags> {
  const { client, calls } = stubClient<IAMClient>({
    GetRole: () => {
      throw awsError('NoSuchEntityException', 'no such role', 404);
    },
    CreateRole: () => ({ Role: { RoleName: 'r', Arn: 'arn:aws:iam::123456789012:role/r' } }),
    ListAttachedRolePolicies: () => ({ AttachedPolicies: [] }),
    AttachRolePolicy: () => ({}),
  });
  await ensure(client);
  return fromList(calls.find((c) => c.command === 'CreateRole')!.input.Tags as TagList);
}

describe('tag budget: eks-cf (one CloudFormation stack per group)', () => {
  const max = maxUserTags('eks-cf');

  function render(count: number): { rendered: RenderedStack; stackTags: Tags } {
    const spec = normalizeSpec(specWith('eks-cf', count)) as EksCfSpec;
    const rendered = renderStack({
      group: ref,
      spec,
      cluster: { name: CLUSTER, endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com', certificateAuthority: 'LS0t', serviceCidr: '172.20.0.0/16', version: '1.31', authenticationMode: 'CONFIG_MAP' },
      image: { id: 'ami-089d3b6350c1769a6', family: 'al2' },
      region,
      // The relay's cluster by ARN, as create-or-update-stack passes it: the longest value the tag takes.
      groupCluster: { name: CLUSTER, region, accountId: '123456789012' },
    });
    const decision = planStackApply({ rendered, stamp, stuckAfterMs: 3_600_000, now: 0 }, {});
    return { rendered, stackTags: fromList(decision.request!.tags) };
  }

  /** The tags each resource ends up with once CloudFormation and Auto Scaling have copied theirs along. */
  function resourcesOf({ rendered, stackTags }: { rendered: RenderedStack; stackTags: Tags }): Record<string, Tags> {
    const res = rendered.template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
    // A new resource in the template must be counted here before this test passes again.
    expect(Object.values(res).map((r) => r.Type).sort()).toEqual([
      'AWS::AutoScaling::AutoScalingGroup',
      'AWS::EC2::LaunchTemplate',
      'AWS::IAM::InstanceProfile',
      'AWS::IAM::Role',
    ]);
    const lt = res.NodeLaunchTemplate!.Properties;
    const spec = (type: string, specs: { ResourceType: string; Tags: TagList }[]) => fromList(specs.find((s) => s.ResourceType === type)!.Tags);
    const asgTags = res.NodeGroup!.Properties.Tags as (TagList[number] & { PropagateAtLaunch: boolean })[];
    const asg = { ...fromList(asgTags), ...stackTags };
    return {
      stack: stackTags,
      role: { ...fromList(res.NodeInstanceRole!.Properties.Tags), ...stackTags },
      // No Tags property: at most the stack's, if CloudFormation copies them.
      instanceProfile: stackTags,
      launchTemplate: { ...spec('launch-template', lt.TagSpecifications), ...stackTags },
      autoScalingGroup: asg,
      // The launch template's instance tags, the group's propagated ones and the stack's (AWS: stack tags reach the
      // instances whatever PropagateAtLaunch says).
      instance: { ...spec('instance', lt.LaunchTemplateData.TagSpecifications), ...fromList(asgTags.filter((t) => t.PropagateAtLaunch)), ...stackTags },
      // Only the launch template tags volumes: neither Auto Scaling nor CloudFormation copies tags onto them.
      volume: spec('volume', lt.LaunchTemplateData.TagSpecifications),
    };
  }

  test(`${max} user tags (the most the schema allows): every resource within ${AWS_MAX_TAGS}, the Auto Scaling group and its instances at exactly ${AWS_MAX_TAGS}`, () => {
    const resources = resourcesOf(render(max));
    expectWithinBudget('eks-cf', resources);
    expect(counted(resources.autoScalingGroup!).length).toBe(AWS_MAX_TAGS);
    expect(counted(resources.instance!).length).toBe(AWS_MAX_TAGS);
    // What eks-cf adds to its most-tagged resources is exactly what the budget lists.
    const user = new Set(userTags(max).map(([k]) => k));
    for (const name of ['autoScalingGroup', 'instance'] as const) {
      expect(new Set(counted(resources[name]!).filter((k) => !user.has(k)))).toEqual(ours('eks-cf'));
    }
  });

  test('the count it adds per resource: stack 7, role 7, launch template 7, Auto Scaling group 9, instance 9, volume 5', () => {
    const resources = resourcesOf(render(0));
    expect(Object.fromEntries(Object.entries(resources).map(([name, tags]) => [name, counted(tags).length]))).toEqual({
      stack: 7,
      role: 7,
      instanceProfile: 7,
      launchTemplate: 7,
      autoScalingGroup: 9,
      instance: 9,
      volume: 5,
    });
  });
});

describe('tag budget: eks-managed (node group and node role)', () => {
  const max = maxUserTags('eks-managed');

  test(`${max} user tags: the node group at exactly ${AWS_MAX_TAGS}, the node role within it`, async () => {
    const spec = normalizeSpec(specWith('eks-managed', max)) as EksManagedSpec;
    const nodeGroup = createNodeGroupRequest({ ref, spec, nodeRoleArn: 'arn:aws:iam::123456789012:role/nodes', stamp }, 'ng', 'key').tags!;
    const role = await createdRoleTags((iam) => ensureNodeRole(iam, ref, spec, region, stamp));
    expectWithinBudget('eks-managed', { nodeGroup, role });
  });
});

describe('tag budget: eks-fargate (profile and pod execution role)', () => {
  const max = maxUserTags('eks-fargate');

  test(`${max} user tags: the profile and the pod execution role at exactly ${AWS_MAX_TAGS}`, async () => {
    const spec = normalizeSpec(specWith('eks-fargate', max)) as EksFargateSpec;
    const profile = createProfileRequest({ ref, spec, podExecutionRoleArn: 'arn:aws:iam::123456789012:role/pods', stamp }, 'p', 'key').tags!;
    const { podExecutionRoleArn: _given, ...ownRole } = spec;
    const role = await createdRoleTags((iam) => ensurePodExecutionRole(iam, ref, ownRole, `arn:aws:eks:${region}:123456789012:cluster/${CLUSTER}`, stamp));
    expectWithinBudget('eks-fargate', { profile, role });
  });
});

test.each([
  ['eks-cf', 'spec.eks-cf.configuration.tags'],
  ['eks-managed', 'spec.eks-managed.configuration.tags'],
  ['eks-fargate', 'spec.eks-fargate.tags'],
] as const)('%s: one tag over the limit is refused before anything is built, naming the field, the limit and the fix', (provisioner, field) => {
  const max = maxUserTags(provisioner);
  expect(specProblems(specWith(provisioner, max + 1))).toContainEqual({
    field,
    message: `${field}: at most ${max} tags (AWS allows 50 per resource and instance-manager adds ${50 - max} of its own); remove tags until ${max} are left`,
  });
});
