// The eks-cf tag budget against moto: a group with the most user tags the schema allows is applied as the Create Or
// Update Stack step applies it (rendered template, stamped stack), and the tags each resource ends up with are read
// back from CloudFormation, Auto Scaling, EC2 and IAM. moto does not enforce AWS's limit of 50 (docs/emulation.md),
// so the test counts. test/unit/shared/tag-budget.test.ts counts the same from the builders, with what AWS copies.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { roleName } from '../../core/names/index.js';
import { AWS_MAX_TAGS, maxUserTags } from '../../core/schema/tag-budget.js';
import { normalizeSpec } from '../../core/spec/normalize.js';
import type { EksCfSpec } from '../../core/spec/types.js';
import { applyStack } from '../../functions/eks-cf/stack.js';
import { renderStack } from '../../functions/eks-cf/template.js';
import { seedAccount, type SeededAccount } from '../../local/seed.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { loadManifest, REFERENCE_SAMPLES } from '../support/fixtures.js';

const REGION = 'us-west-2';
const CLUSTER = 'my-eks-cluster';
const ref = { clusterName: CLUSTER, namespace: 'team-a', name: 'many-tags' };

let bed: TestBed;
let account: SeededAccount;
let clients: { cf: CloudFormationClient; asg: AutoScalingClient; ec2: EC2Client; iam: IAMClient };

beforeAll(async () => {
  bed = await startTestBed({ kube: false });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: REGION, AWS_ENDPOINT_URL: bed.moto!.url });
  account = await seedAccount({ clusterNames: [CLUSTER] });
  const config = { region: REGION, endpoint: bed.moto!.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  clients = { cf: new CloudFormationClient(config), asg: new AutoScalingClient(config), ec2: new EC2Client(config), iam: new IAMClient(config) };
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(clients ?? {})) client.destroy();
  await bed?.stop();
});

type TagList = { Key?: string; Value?: string }[] | undefined;
const counted = (tags: TagList) => (tags ?? []).filter((t) => !t.Key?.toLowerCase().startsWith('aws:')).map((t) => t.Key!);

test(`eks-cf with ${maxUserTags('eks-cf')} user tags: with the stack's tags the Auto Scaling group and its instance reach ${AWS_MAX_TAGS}, nothing more; every user tag arrives`, async () => {
  const user = Array.from({ length: maxUserTags('eks-cf') }, (_, i) => ({ key: `team/cost-center-${i}`, value: `value-${i}` }));
  const raw = loadManifest(REFERENCE_SAMPLES.eksCf).spec;
  Object.assign(raw['eks-cf']!.configuration, { tags: user, subnets: account.subnetIds, securityGroups: [account.securityGroupId], image: account.imageId });
  raw['eks-cf']!.minSize = 1;
  const spec = normalizeSpec(raw) as EksCfSpec;
  const rendered = renderStack({
    group: ref,
    spec,
    cluster: { name: CLUSTER, endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com', certificateAuthority: 'LS0t', serviceCidr: '172.20.0.0/16', version: '1.31', authenticationMode: 'CONFIG_MAP' },
    image: { id: account.imageId, family: 'al2' },
    region: REGION,
    groupCluster: { name: CLUSTER, region: REGION, accountId: '123456789012' },
  });
  const { action } = await applyStack(clients.cf, rendered, { stamp: { uid: 'uid-many-tags', generation: 3 } });
  expect(action).toBe('created');

  const stack = (await clients.cf.send(new DescribeStacksCommand({ StackName: rendered.stackName }))).Stacks![0]!;
  expect(stack.StackStatus).toBe('CREATE_COMPLETE');
  const group = (await clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [rendered.scalingGroupName] }))).AutoScalingGroups![0]!;
  const template = (await clients.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [rendered.launchTemplateName] }))).LaunchTemplates![0]!;
  const role = await clients.iam.send(new ListRoleTagsCommand({ RoleName: roleName(ref, 'nodes') }));
  const instanceIds = (group.Instances ?? []).map((i) => i.InstanceId!);
  expect(instanceIds).toHaveLength(1);
  const instance = (await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }))).Reservations![0]!.Instances![0]!;

  // moto applies what we send but copies no stack tags onto the stack's resources, and tags no volumes from a launch
  // template; AWS does the first, so the stack's tags are added here as CloudFormation adds them (volumes: unit test).
  const stackTags = counted(stack.Tags);
  const withStack = (tags: TagList) => [...new Set([...counted(tags), ...stackTags])];
  const resources: Record<string, string[]> = {
    stack: stackTags,
    autoScalingGroup: withStack(group.Tags),
    launchTemplate: withStack(template.Tags),
    role: withStack(role.Tags),
    instance: withStack(instance.Tags),
  };
  const counts = Object.fromEntries(Object.entries(resources).map(([name, keys]) => [name, keys.length]));
  // 48: the user's 41 and the stack's 7 (ownership, group-cluster, stamp); the group adds Name and kubernetes.io/cluster.
  expect(counts).toEqual({ stack: 48, autoScalingGroup: AWS_MAX_TAGS, launchTemplate: 48, role: 48, instance: AWS_MAX_TAGS });
  for (const [name, keys] of Object.entries(resources)) {
    expect({ name, missing: user.map((t) => t.key).filter((k) => !keys.includes(k)) }).toEqual({ name, missing: [] });
  }
}, 120_000);
