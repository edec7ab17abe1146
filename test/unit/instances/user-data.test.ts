// The emulated boot agents read user data as each image family documents it, and refuse what the real agent would.
import { readBootConfig } from '../../../local/instances/userdata/index.js';
import { imageFamily } from '../../../local/instances/image-family.js';
import { checkAgainstCluster } from '../../../local/instances/cluster-check.js';
import { roleArnWithoutPath } from '../../../local/instances/aws-auth.js';
import { al2023UserData, al2UserData, bottlerocketUserData } from '../../support/user-data.js';

const cluster = { name: 'my-eks-cluster', endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com', ca: 'Q0EtREFUQQ==', cidr: '172.20.0.0/16' };
const described = {
  name: cluster.name,
  status: 'ACTIVE' as const,
  endpoint: `${cluster.endpoint}/`,
  certificateAuthority: { data: cluster.ca },
  kubernetesNetworkConfig: { serviceIpv4Cidr: cluster.cidr },
};
const shape = { labels: { team: 'a', 'instancemgr.keikoproj.io/group': 'hello' }, taints: ['dedicated=gpu:NoSchedule'], maxPods: 17 };
const expected = {
  clusterName: cluster.name,
  labels: shape.labels,
  taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
  maxPods: 17,
};

describe('boot agents read their documented user data', () => {
  test('AL2023: nodeadm NodeConfig in a MIME multi-part document', async () => {
    const boot = await readBootConfig('al2023', al2023UserData(cluster, shape));
    expect(boot).toEqual({ family: 'al2023', apiServerEndpoint: cluster.endpoint, certificateAuthority: cluster.ca, serviceCidr: cluster.cidr, ...expected });
  });

  test('AL2023: nodeadm refuses a NodeConfig without the service CIDR, in its own words', async () => {
    const userData = al2023UserData(cluster).replace(/^ {4}cidr: .*\n/m, '');
    await expect(readBootConfig('al2023', userData)).rejects.toThrow('CIDR is missing in cluster configuration');
  });

  test('AL2023: a bootstrap.sh script is no NodeConfig', async () => {
    await expect(readBootConfig('al2023', al2UserData(cluster))).rejects.toThrow(/no NodeConfig in the user data/);
  });

  test('Bottlerocket: [settings.kubernetes] TOML', async () => {
    const boot = await readBootConfig('bottlerocket', bottlerocketUserData(cluster, shape));
    expect(boot).toEqual({ family: 'bottlerocket', apiServerEndpoint: cluster.endpoint, certificateAuthority: cluster.ca, ...expected });
  });

  test('Bottlerocket: a shell script or a NodeConfig is not TOML settings', async () => {
    await expect(readBootConfig('bottlerocket', al2UserData(cluster))).rejects.toThrow(/not valid TOML settings/);
    await expect(readBootConfig('bottlerocket', al2023UserData(cluster))).rejects.toThrow(/not a MIME multi-part|not valid TOML/);
  });

  test('AL2: bootstrap.sh arguments, kubelet flags inside --kubelet-extra-args', async () => {
    const boot = await readBootConfig('al2', al2UserData(cluster, shape));
    expect(boot).toEqual({ family: 'al2', apiServerEndpoint: cluster.endpoint, certificateAuthority: cluster.ca, ...expected });
  });

  test('AL2: endpoint and CA may be left to DescribeCluster; the cluster check fills them in', async () => {
    const boot = await readBootConfig('al2', al2UserData({ name: cluster.name }));
    expect(boot.apiServerEndpoint).toBeUndefined();
    expect(checkAgainstCluster(boot, described)).toMatchObject({ apiServerEndpoint: described.endpoint, certificateAuthority: cluster.ca });
  });

  test('AL2: a script that never calls bootstrap.sh, or calls it with a shell expansion, is refused', async () => {
    await expect(readBootConfig('al2', '#!/bin/bash\necho hello\n')).rejects.toThrow(/never calls \/etc\/eks\/bootstrap.sh/);
    await expect(readBootConfig('al2', '#!/bin/bash\n/etc/eks/bootstrap.sh "$CLUSTER"\n')).rejects.toThrow(/shell expansion/);
  });

  test('garbage is refused by every family', async () => {
    const garbage = '\u0000\u0001 not user data [[[';
    await expect(readBootConfig('al2023', garbage)).rejects.toThrow();
    await expect(readBootConfig('bottlerocket', garbage)).rejects.toThrow();
    await expect(readBootConfig('al2', garbage)).rejects.toThrow();
  });
});

describe('the image decides the boot agent', () => {
  test.each([
    [{ name: 'bottlerocket-aws-k8s-1.33-x86_64-v1.40.0-1a2b3c4d' }, 'bottlerocket'],
    [{ name: 'amazon-eks-node-al2023-x86_64-standard-1.33-v20250715' }, 'al2023'],
    [{ name: 'amazon-eks-node-linux', description: 'EKS Kubernetes Worker AMI with AmazonLinux2 image' }, 'al2'],
    [{ name: 'amazon-eks-node-1.29-v20240117' }, 'al2'],
    [{ name: 'my-golden-image' }, 'al2023'],
    [{ name: 'Windows_Server-2019-English-Core-EKS_Optimized' }, undefined],
  ])('%j → %s', (image, family) => {
    expect(imageFamily(image).family).toBe(family);
  });
});

describe('the boot configuration must match the cluster', () => {
  const boot = async () => readBootConfig('al2023', al2023UserData(cluster));
  test('a matching config passes (trailing slash and host case do not matter)', async () => {
    expect(checkAgainstCluster(await boot(), described).clusterName).toBe(cluster.name);
  });
  test('another endpoint, CA, CIDR or a missing cluster is refused with the reason', async () => {
    expect(() => checkAgainstCluster({ family: 'al2023', clusterName: cluster.name, labels: {}, taints: [], apiServerEndpoint: 'https://elsewhere.example.com', certificateAuthority: cluster.ca }, described)).toThrow(/is not the endpoint of cluster "my-eks-cluster"/);
    expect(() => checkAgainstCluster({ family: 'al2023', clusterName: cluster.name, labels: {}, taints: [], apiServerEndpoint: cluster.endpoint, certificateAuthority: 'b3RoZXI=' }, described)).toThrow(/certificate authority is not cluster/);
    expect(() => checkAgainstCluster({ family: 'al2023', clusterName: cluster.name, labels: {}, taints: [], apiServerEndpoint: cluster.endpoint, certificateAuthority: cluster.ca, serviceCidr: '10.100.0.0/16' }, described)).toThrow(/service CIDR 10.100.0.0\/16 is not/);
    expect(() => checkAgainstCluster({ family: 'bottlerocket', clusterName: cluster.name, labels: {}, taints: [], apiServerEndpoint: cluster.endpoint, certificateAuthority: cluster.ca, clusterDnsIp: '10.100.0.10' }, described)).toThrow(/outside cluster "my-eks-cluster"'s service CIDR/);
    expect(() => checkAgainstCluster({ family: 'al2023', clusterName: 'nope', labels: {}, taints: [] }, undefined)).toThrow(/cluster "nope" does not exist/);
  });
});

test('aws-auth matches role ARNs without their path, as aws-iam-authenticator does', () => {
  expect(roleArnWithoutPath('arn:aws:iam::123456789012:role/team/nodes/my-role')).toBe('arn:aws:iam::123456789012:role/my-role');
  expect(roleArnWithoutPath('arn:aws:iam::123456789012:role/my-role')).toBe('arn:aws:iam::123456789012:role/my-role');
});
