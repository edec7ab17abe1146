import { CreateKeyPairCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { awsClientConfig } from '../core/aws/config.js';

/** What a seeded emulated account holds: a network, a key pair, an EKS-ready image and the reference clusters. */
export interface SeededAccount {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
  keyPairName: string;
  imageId: string;
  clusterNames: string[];
  clusterRoleArn: string;
  podExecutionRoleArn: string;
}

export const REFERENCE_CLUSTERS = ['my-eks-cluster', 'the-cluster-for-my-pods'];

/**
 * Makes the emulated account look like a real one an EKS team runs: a VPC with three subnets, a security group,
 * the key pair the reference sample names, and the EKS clusters named in the reference samples. Clients follow
 * AWS_ENDPOINT_URL, so this runs against moto.
 */
export async function seedAccount(options: { clusterNames?: string[]; keyPairName?: string } = {}): Promise<SeededAccount> {
  const config = awsClientConfig();
  const ec2 = new EC2Client(config);
  const eks = new EKSClient(config);
  const iam = new IAMClient(config);
  const region = config.region;

  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.10.0.0/16' }));
  const vpcId = Vpc!.VpcId!;
  const subnetIds: string[] = [];
  for (const [i, zone] of ['a', 'b', 'c'].entries()) {
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.10.${i}.0/24`, AvailabilityZone: `${region}${zone}` }),
    );
    subnetIds.push(Subnet!.SubnetId!);
  }
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'eks-nodes', Description: 'EKS worker nodes', VpcId: vpcId }),
  );
  const keyPairName = options.keyPairName ?? 'my-key';
  await ec2.send(new CreateKeyPairCommand({ KeyName: keyPairName }));
  const { Images } = await ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['amazon-eks-node-*'] }] }),
  );
  const imageId = Images?.[0]?.ImageId;
  if (!imageId) throw new Error('the emulated account has no EKS node image (amazon-eks-node-*)');

  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: 'eks-cluster-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  // The reference Fargate sample names this pod execution role in the emulator's default account.
  const { Role: podRole } = await iam.send(
    new CreateRoleCommand({
      RoleName: 'MyPodRole',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'eks-fargate-pods.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const clusterNames = options.clusterNames ?? REFERENCE_CLUSTERS;
  for (const name of clusterNames) {
    await eks.send(
      new CreateClusterCommand({
        name,
        roleArn: Role!.Arn!,
        resourcesVpcConfig: { subnetIds, securityGroupIds: [GroupId!] },
      }),
    );
  }
  return { vpcId, subnetIds, securityGroupId: GroupId!, keyPairName, imageId, clusterNames, clusterRoleArn: Role!.Arn!, podExecutionRoleArn: podRole!.Arn! };
}
