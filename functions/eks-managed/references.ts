// Pre-flight for eks-managed: every AWS resource the spec names must exist before anything is created. Each kind is
// asked about only the IDs the spec names, and one error lists every missing reference.
import { DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import { MissingReferenceError, type FieldProblem } from '../../core/errors/index.js';
import type { EksManagedSpec } from '../../core/spec/types.js';
import { awsFind } from '../shared/aws-errors.js';
import { checkRoleArn, describeCluster, type ClusterFacts } from '../shared/references.js';

export interface ReferenceClients {
  ec2: EC2Client;
  eks: EKSClient;
  iam: IAMClient;
  region: string;
}

const FIELD = 'spec.eks-managed.configuration';

export async function checkManagedReferences(spec: EksManagedSpec, clients: ReferenceClients): Promise<ClusterFacts> {
  const { ec2, eks, iam, region } = clients;
  const missing: FieldProblem[] = [];
  const securityGroups = spec.remoteAccess?.sourceSecurityGroups ?? [];
  const [cluster, subnets, groups, keys, role] = await Promise.all([
    describeCluster(eks, spec.clusterName),
    awsFind('Checking subnets', () => ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: spec.subnets }] }))),
    securityGroups.length
      ? awsFind('Checking security groups', () =>
          ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: securityGroups }] })),
        )
      : Promise.resolve(undefined),
    spec.remoteAccess
      ? awsFind('Checking the key pair', () =>
          ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [spec.remoteAccess!.keyPairName] }] })),
        )
      : Promise.resolve(undefined),
    spec.nodeRoleArn ? checkRoleArn(iam, spec.nodeRoleArn, `${FIELD}.nodeRole`) : Promise.resolve(undefined),
  ]);

  if (!cluster) missing.push({ field: `${FIELD}.clusterName`, message: `EKS cluster ${spec.clusterName} does not exist in ${region}` });
  const foundSubnets = new Set((subnets?.Subnets ?? []).map((s) => s.SubnetId));
  for (const id of spec.subnets) {
    if (!foundSubnets.has(id)) missing.push({ field: `${FIELD}.subnets`, message: `${id} does not exist in ${region}` });
  }
  const foundGroups = new Set((groups?.SecurityGroups ?? []).map((g) => g.GroupId));
  for (const id of securityGroups) {
    if (!foundGroups.has(id)) missing.push({ field: `${FIELD}.securityGroups`, message: `${id} does not exist in ${region}` });
  }
  if (spec.remoteAccess && !(keys?.KeyPairs ?? []).some((k) => k.KeyName === spec.remoteAccess!.keyPairName)) {
    missing.push({ field: `${FIELD}.keyPairName`, message: `key pair ${spec.remoteAccess.keyPairName} does not exist in ${region}` });
  }
  if (role) missing.push(role);
  if (missing.length) throw new MissingReferenceError(missing);
  return cluster!;
}
