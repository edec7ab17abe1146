// Pre-flight: every AWS resource the spec names must exist before anything is created. Each kind is asked about
// only the IDs the spec names (filters, not account-wide listings), and one error lists every missing reference.
import { DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetInstanceProfileCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { MissingReferenceError, classifyError, type FieldProblem } from '../../core/errors/index.js';
import type { EksCfSpec } from '../../core/spec/types.js';
import { isNotFound } from '../shared/aws-errors.js';
import { clusterFacts, type ClusterFacts } from './boot/cluster.js';
import { resolveImage, type ResolvedImage } from './image.js';

export interface ReferenceClients {
  ec2: EC2Client;
  eks: EKSClient;
  iam: IAMClient;
  ssm: SSMClient;
  region: string;
}

export interface References {
  /** ARN of spec.existingRole's role (path included), when the spec names one. */
  existingRoleArn?: string;
  /** The cluster's VPC, for the record. */
  vpcId?: string;
  /** What the nodes need to join the cluster (DescribeCluster at apply time). Absent only when checks failed. */
  cluster?: ClusterFacts;
  /** The AMI the nodes start from and how it boots. */
  image?: ResolvedImage;
}

const FIELD = 'spec.eks-cf.configuration';

export async function checkReferences(spec: EksCfSpec, clients: ReferenceClients): Promise<References> {
  const { ec2, eks, iam, region } = clients;
  const missing: FieldProblem[] = [];
  const result: References = {};
  const ask = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw classifyError(error, `Checking ${what}`);
    }
  };

  const [cluster, subnets, groups, keys] = await Promise.all([
    ask('the EKS cluster', () => eks.send(new DescribeClusterCommand({ name: spec.clusterName }))),
    ask('subnets', () => ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: spec.subnets }] }))),
    ask('security groups', () =>
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: spec.securityGroups }] })),
    ),
    spec.keyPairName
      ? ask('the key pair', () => ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [spec.keyPairName!] }] })))
      : Promise.resolve(undefined),
  ]);

  if (!cluster?.cluster) missing.push({ field: `${FIELD}.clusterName`, message: `EKS cluster ${spec.clusterName} does not exist in ${region}` });
  else {
    result.vpcId = cluster.cluster.resourcesVpcConfig?.vpcId;
    result.cluster = clusterFacts(cluster.cluster);
  }
  try {
    result.image = await resolveImage(
      { image: spec.image, ...(spec.imageFamily ? { imageFamily: spec.imageFamily } : {}), kubernetesVersion: result.cluster?.version ?? '', region },
      clients,
    );
    if (result.image.family === 'bottlerocket' && spec.bootstrapArguments) {
      missing.push({ field: `${FIELD}.bootstrapArguments`, message: `${result.image.id} is a Bottlerocket image, which reads no kubelet flags; use nodeLabels, taints and maxPods instead` });
    }
  } catch (error) {
    if (!(error instanceof MissingReferenceError)) throw error;
    missing.push(...error.missing);
  }
  const foundSubnets = new Set((subnets?.Subnets ?? []).map((s) => s.SubnetId));
  for (const id of spec.subnets) {
    if (!foundSubnets.has(id)) missing.push({ field: `${FIELD}.subnets`, message: `${id} does not exist in ${region}` });
  }
  const foundGroups = new Set((groups?.SecurityGroups ?? []).map((g) => g.GroupId));
  for (const id of spec.securityGroups) {
    if (!foundGroups.has(id)) missing.push({ field: `${FIELD}.securityGroups`, message: `${id} does not exist in ${region}` });
  }
  if (spec.keyPairName && !(keys?.KeyPairs ?? []).some((k) => k.KeyName === spec.keyPairName)) {
    missing.push({ field: `${FIELD}.keyPairName`, message: `key pair ${spec.keyPairName} does not exist in ${region}` });
  }
  if (spec.existingRole) {
    const { roleName, instanceProfileName } = spec.existingRole;
    const [role, profile] = await Promise.all([
      ask('the node role', () => iam.send(new GetRoleCommand({ RoleName: roleName }))),
      ask('the instance profile', () => iam.send(new GetInstanceProfileCommand({ InstanceProfileName: instanceProfileName }))),
    ]);
    if (!role?.Role) missing.push({ field: `${FIELD}.roleName`, message: `IAM role ${roleName} does not exist` });
    else result.existingRoleArn = role.Role.Arn;
    if (!profile?.InstanceProfile) {
      missing.push({ field: `${FIELD}.instanceProfileName`, message: `instance profile ${instanceProfileName} does not exist` });
    } else if (role?.Role && !(profile.InstanceProfile.Roles ?? []).some((r) => r.RoleName === roleName)) {
      missing.push({ field: `${FIELD}.instanceProfileName`, message: `instance profile ${instanceProfileName} does not contain role ${roleName}` });
    }
  }
  if (missing.length) throw new MissingReferenceError(missing);
  return result;
}
