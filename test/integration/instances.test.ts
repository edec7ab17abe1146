// Instances booting into the cluster, on the real test bed: moto holds the Auto Scaling groups, launch templates,
// images, instance profiles and the EKS cluster; the real kube-apiserver (Node,RBAC authorization, NodeRestriction)
// holds aws-auth and the Nodes; kwok keeps the Nodes Ready and kube-controller-manager lifts their not-ready taint. The user data is written in each family's documented
// format (test/support/user-data.ts), never by instance-manager's renderer.
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client, RegisterImageCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { stringify } from 'yaml';
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { KubeRest } from '../../core/kube/rest.js';
import { startInstanceBoots, type InstanceBoots } from '../../local/instances/index.js';
import { seedAccount, type SeededAccount } from '../../local/seed.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { al2023UserData, al2UserData, bottlerocketUserData, type ClusterCoordinates } from '../support/user-data.js';

const REGION = 'us-west-2';
const CLUSTER = 'my-eks-cluster';
const OTHER_CLUSTER = 'other-cluster';

interface KubeNode {
  metadata: { name: string; labels: Record<string, string> };
  spec: { providerID?: string; taints?: { key: string; value?: string; effect: string }[] };
  status: { capacity?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

let bed: TestBed;
let boots: InstanceBoots;
let admin: KubeRest;
let account: SeededAccount;
let ec2: EC2Client;
let asg: AutoScalingClient;
let iam: IAMClient;
let coordinates: ClusterCoordinates;
let otherCoordinates: ClusterCoordinates;
const images: Record<'al2023' | 'bottlerocket' | 'al2', string> = { al2023: '', bottlerocket: '', al2: '' };
let mappedProfile: string;
let mappedRoleArn: string;
let unmappedProfile: string;
let unmappedRoleArn: string;

async function nodeRole(name: string): Promise<{ profile: string; roleArn: string }> {
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  return { profile: name, roleArn: Role!.Arn! };
}

async function mapRoles(roleArns: string[]): Promise<void> {
  const mapRolesYaml = stringify(roleArns.map((rolearn) => ({ rolearn, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] })));
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles: mapRolesYaml } };
  await admin.request('PATCH', '/api/v1/namespaces/kube-system/configmaps/aws-auth', { body, contentType: 'application/merge-patch+json' }).catch(() =>
    admin.request('POST', '/api/v1/namespaces/kube-system/configmaps', { body }),
  );
}

let groups = 0;
/** A launch template and an Auto Scaling group of one instance, as a CloudFormation stack would make them. */
async function launch(opts: { image: string; userData: string; profile: string }): Promise<string> {
  const name = `nodes-${++groups}`;
  const { LaunchTemplate } = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: {
        ImageId: opts.image,
        InstanceType: 'm5.large',
        IamInstanceProfile: { Name: opts.profile },
        UserData: Buffer.from(opts.userData).toString('base64'),
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      },
    }),
  );
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 1,
      MaxSize: 1,
      DesiredCapacity: 1,
      VPCZoneIdentifier: account.subnetIds[0],
      LaunchTemplate: { LaunchTemplateId: LaunchTemplate!.LaunchTemplateId, Version: '$Latest' },
    }),
  );
  const { AutoScalingGroups } = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return AutoScalingGroups![0]!.Instances![0]!.InstanceId!;
}

const nodes = async () => (await admin.get<{ items: KubeNode[] }>('/api/v1/nodes')).items;
const nodeOf = async (instanceId: string) => (await nodes()).find((n) => n.spec.providerID?.endsWith(`/${instanceId}`));
const isReady = (n: KubeNode | undefined) => n?.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
/** Ready, and the node lifecycle controller has lifted the not-ready taint the API server put on it: schedulable. */
const isSchedulable = (n: KubeNode | undefined) => isReady(n) && !n?.spec.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready');

/** Waits (by polls of the emulator, not by time) until the instance's boot is decided, then returns its Node if any. */
async function bootOutcome(instanceId: string): Promise<{ phase: string; reason?: string; node?: KubeNode }> {
  for (let i = 0; i < 100; i++) {
    await boots.settled();
    const state = boots.instance(instanceId);
    if (state && state.phase !== 'booting') return { phase: state.phase, ...(state.reason ? { reason: state.reason } : {}), node: await nodeOf(instanceId) };
  }
  throw new Error(`instance ${instanceId} still booting after 100 polls:\n${boots.console(instanceId)}`);
}

/** Waits for kwok to mark the instance's Node Ready and kube-controller-manager to make it schedulable. */
async function readyNode(instanceId: string): Promise<KubeNode> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const node = await nodeOf(instanceId);
    if (isSchedulable(node)) return node!;
    if (Date.now() > deadline) throw new Error(`no Ready node for ${instanceId}; boot console:\n${boots.console(instanceId)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  bed = await startTestBed({ kwok: true, controllerManager: true });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: REGION, AWS_ENDPOINT_URL: bed.moto!.url });
  account = await seedAccount({ clusterNames: [CLUSTER, OTHER_CLUSTER] });
  const config = { region: REGION, endpoint: bed.moto!.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  ec2 = new EC2Client(config);
  asg = new AutoScalingClient(config);
  iam = new IAMClient(config);
  const eks = new EKSClient(config);
  const describe = async (name: string): Promise<ClusterCoordinates> => {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    return { name, endpoint: cluster!.endpoint!, ca: cluster!.certificateAuthority!.data!, cidr: cluster!.kubernetesNetworkConfig!.serviceIpv4Cidr! };
  };
  [coordinates, otherCoordinates] = await Promise.all([describe(CLUSTER), describe(OTHER_CLUSTER)]);
  eks.destroy();
  images.al2 = account.imageId; // moto's amazon-eks-node-linux: "EKS Kubernetes Worker AMI with AmazonLinux2 image"
  images.al2023 = (await ec2.send(new RegisterImageCommand({ Name: 'amazon-eks-node-al2023-x86_64-standard-1.33-v20251120', Description: 'EKS-optimized Kubernetes node based on Amazon Linux 2023' }))).ImageId!;
  images.bottlerocket = (await ec2.send(new RegisterImageCommand({ Name: 'bottlerocket-aws-k8s-1.33-x86_64-v1.50.0-4c9f5b1e', Description: 'bottlerocket-aws-k8s-1.33' }))).ImageId!;
  admin = new KubeRest(connectionFromKubeconfig(bed.kube!.kubeconfigPath));
  ({ profile: mappedProfile, roleArn: mappedRoleArn } = await nodeRole('mapped-nodes'));
  ({ profile: unmappedProfile, roleArn: unmappedRoleArn } = await nodeRole('unmapped-nodes'));
  await mapRoles([mappedRoleArn]);
  boots = startInstanceBoots({
    aws: { endpoint: bed.moto!.url, region: REGION },
    clusters: { [CLUSTER]: { adminKubeconfig: bed.kube!.kubeconfigPath, clientCa: bed.kube!.clientCa } },
    consoleDir: `${bed.runDir}/instances`,
    pollIntervalMs: 250,
  });
}, 240_000);

afterAll(async () => {
  await boots?.stop();
  admin?.close();
  for (const c of [ec2, asg, iam]) c?.destroy();
  await bed?.stop();
});

const shape = { labels: { 'instancemgr.keikoproj.io/group': 'hello-world', team: 'a' }, taints: ['dedicated=batch:NoSchedule'], maxPods: 17 };

describe('an instance whose user data and role are right joins as a Ready Node', () => {
  test.each([
    ['AL2023 (nodeadm NodeConfig)', 'al2023', (): string => al2023UserData(coordinates, shape)],
    ['Bottlerocket (TOML settings)', 'bottlerocket', (): string => bottlerocketUserData(coordinates, shape)],
    ['AL2 (bootstrap.sh, endpoint and CA from DescribeCluster)', 'al2', (): string => al2UserData({ name: CLUSTER }, shape)],
  ] as const)('%s', async (_, family, userData) => {
    const instanceId = await launch({ image: images[family], userData: userData(), profile: mappedProfile });
    expect(await bootOutcome(instanceId)).toMatchObject({ phase: 'joined' });
    const node = await readyNode(instanceId);
    const state = boots.instance(instanceId)!;
    expect(node.metadata.name).toBe(state.nodeName);
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(node.metadata.name).toBe(Reservations![0]!.Instances![0]!.PrivateDnsName);
    expect(node.spec.providerID).toMatch(new RegExp(`^aws:///us-west-2[a-c]/${instanceId}$`));
    expect(node.metadata.labels).toMatchObject({
      ...shape.labels,
      'kubernetes.io/hostname': node.metadata.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': 'm5.large',
      'topology.kubernetes.io/region': REGION,
      'topology.kubernetes.io/zone': node.spec.providerID!.split('/')[3],
    });
    expect(node.spec.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
    expect(node.status.capacity?.pods).toBe('17');
    expect(boots.console(instanceId)).toContain(`Successfully registered node ${node.metadata.name} as system:node:${node.metadata.name}`);
  });

  test('without max pods in the boot config, the ENI formula of the instance type applies (m5.large: 29)', async () => {
    const instanceId = await launch({ image: images.al2023, userData: al2023UserData(coordinates), profile: mappedProfile });
    expect((await readyNode(instanceId)).status.capacity?.pods).toBe('29');
  });
});

describe('an instance that cannot join produces no Node, and says why', () => {
  test.each([
    ['an API endpoint that is not the cluster\'s', 'al2023', (): string => al2023UserData({ ...coordinates, endpoint: 'https://wrong.example.com' }), /API server endpoint https:\/\/wrong.example.com is not the endpoint of cluster "my-eks-cluster"/],
    ['another cluster\'s CA', 'bottlerocket', (): string => bottlerocketUserData({ ...coordinates, ca: otherCoordinates.ca }), /certificate authority is not cluster "my-eks-cluster"'s/],
    ['another cluster (that this API server is not)', 'al2023', (): string => al2023UserData(otherCoordinates), /cluster "other-cluster" has no API server in this test bed/],
    ['a cluster that does not exist', 'al2', (): string => al2UserData({ name: 'no-such-cluster' }), /cluster "no-such-cluster" does not exist/],
    ['garbage user data', 'al2023', (): string => 'this is not user data\n', /no NodeConfig in the user data|not a NodeConfig/],
    ['a shell script on a Bottlerocket image', 'bottlerocket', (): string => al2UserData(coordinates), /not valid TOML settings/],
    ['a NodeConfig on an AL2 image', 'al2', (): string => al2023UserData(coordinates), /no shell script in the user data/],
  ] as const)('%s', async (_, family, userData, reason) => {
    const instanceId = await launch({ image: images[family], userData: userData(), profile: mappedProfile });
    const outcome = await bootOutcome(instanceId);
    expect(outcome).toMatchObject({ phase: 'failed', reason: expect.stringMatching(reason) });
    expect(outcome.node).toBeUndefined();
    expect(boots.console(instanceId)).toMatch(reason);
  });

  test('an unmapped role: the kubelet keeps retrying, and joins once the role is mapped in aws-auth', async () => {
    const instanceId = await launch({ image: images.al2023, userData: al2023UserData(coordinates), profile: unmappedProfile });
    const outcome = await bootOutcome(instanceId);
    expect(outcome).toMatchObject({ phase: 'waiting', reason: expect.stringContaining(`role ${unmappedRoleArn} is not mapped in kube-system/aws-auth`) });
    expect(outcome.node).toBeUndefined();
    await boots.settled();
    expect(await nodeOf(instanceId)).toBeUndefined();
    await mapRoles([mappedRoleArn, unmappedRoleArn]);
    expect(isReady(await readyNode(instanceId))).toBe(true);
  });

  test('a node-role label in the boot config is refused by NodeRestriction, as on EKS', async () => {
    const userData = al2023UserData(coordinates, { labels: { 'node-role.kubernetes.io/hello-world': '' } });
    const instanceId = await launch({ image: images.al2023, userData, profile: mappedProfile });
    const outcome = await bootOutcome(instanceId);
    expect(outcome).toMatchObject({ phase: 'failed', reason: expect.stringMatching(/is not allowed to set the following labels: node-role.kubernetes.io\/hello-world/) });
    expect(outcome.node).toBeUndefined();
  });
});

test('a terminated instance loses its Node, as the cloud controller does on EKS', async () => {
  const instanceId = await launch({ image: images.bottlerocket, userData: bottlerocketUserData(coordinates), profile: mappedProfile });
  const node = await readyNode(instanceId);
  await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: true }));
  await boots.settled();
  expect((await nodes()).map((n) => n.metadata.name)).not.toContain(node.metadata.name);
  expect(boots.instance(instanceId)?.phase).toBe('gone');
  expect(boots.console(instanceId)).toContain(`deleted Node ${node.metadata.name}`);
});
