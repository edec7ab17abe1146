// What a booting instance knows about itself, read from the EC2, Auto Scaling and IAM APIs: its placement, image,
// type, user data and the role of its instance profile. An instance launched from a launch template carries the
// template's instance profile; moto leaves that association out for Auto Scaling instances, so when the instance
// reports none the profile is taken from the launch template version its group launches.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type Instance,
  type LaunchTemplateIamInstanceProfileSpecification,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient, type Cluster } from '@aws-sdk/client-eks';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';

export const ASG_TAG = 'aws:autoscaling:groupName';

export interface AwsEndpoint {
  endpoint?: string;
  region: string;
}

export interface InstanceSummary {
  instanceId: string;
  state: string;
  groupName?: string;
  accountId: string;
  raw: Instance;
}

export interface InstanceTypeFacts {
  vcpus: number;
  memoryMiB: number;
  /** The ENI formula EKS images use for max pods: ENIs × (IPv4 addresses per ENI − 1) + 2. */
  eniMaxPods?: number;
}

export class AwsFacts {
  private readonly ec2: EC2Client;
  private readonly autoscaling: AutoScalingClient;
  private readonly iam: IAMClient;
  private readonly eks: EKSClient;

  constructor(readonly aws: AwsEndpoint) {
    const config = {
      region: aws.region,
      ...(aws.endpoint ? { endpoint: aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      maxAttempts: 3,
    };
    this.ec2 = new EC2Client(config);
    this.autoscaling = new AutoScalingClient(config);
    this.iam = new IAMClient(config);
    this.eks = new EKSClient(config);
  }

  destroy(): void {
    for (const c of [this.ec2, this.autoscaling, this.iam, this.eks]) c.destroy();
  }

  async instances(): Promise<InstanceSummary[]> {
    const out: InstanceSummary[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.ec2.send(new DescribeInstancesCommand({ NextToken, MaxResults: 1000 }));
      for (const reservation of page.Reservations ?? []) {
        for (const raw of reservation.Instances ?? []) {
          const groupName = raw.Tags?.find((t) => t.Key === ASG_TAG)?.Value;
          out.push({
            instanceId: raw.InstanceId!,
            state: raw.State?.Name ?? 'unknown',
            ...(groupName ? { groupName } : {}),
            accountId: reservation.OwnerId ?? '',
            raw,
          });
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  /** The launch template version an Auto Scaling group launches from, if it uses one. */
  private async groupLaunchTemplate(groupName: string) {
    const { AutoScalingGroups } = await this.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
    const group = AutoScalingGroups?.[0];
    const spec = group?.LaunchTemplate ?? group?.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    if (!spec) return undefined;
    const { LaunchTemplateVersions } = await this.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        ...(spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName }),
        Versions: [spec.Version ?? '$Default'],
      }),
    );
    return LaunchTemplateVersions?.[0]?.LaunchTemplateData;
  }

  /** The instance's user data, decoded (EC2 hands it out base64-encoded). */
  async userData(instance: InstanceSummary): Promise<string> {
    const { UserData } = await this.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instance.instanceId, Attribute: 'userData' }));
    let encoded = UserData?.Value;
    if (!encoded && instance.groupName) encoded = (await this.groupLaunchTemplate(instance.groupName))?.UserData;
    return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  }

  /** The role of the instance's profile, or undefined when it has none. */
  async roleArn(instance: InstanceSummary): Promise<string | undefined> {
    let profile: LaunchTemplateIamInstanceProfileSpecification | undefined = instance.raw.IamInstanceProfile?.Arn
      ? { Arn: instance.raw.IamInstanceProfile.Arn }
      : undefined;
    if (!profile && instance.groupName) profile = (await this.groupLaunchTemplate(instance.groupName))?.IamInstanceProfile;
    const name = profile?.Name ?? profile?.Arn?.split('/').pop();
    if (!name) return undefined;
    const { InstanceProfile } = await this.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    return InstanceProfile?.Roles?.[0]?.Arn;
  }

  async image(imageId: string): Promise<{ name?: string; description?: string; architecture?: string } | undefined> {
    const { Images } = await this.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })).catch(() => ({ Images: [] }));
    const image = Images?.[0];
    return image && { ...(image.Name ? { name: image.Name } : {}), ...(image.Description ? { description: image.Description } : {}), ...(image.Architecture ? { architecture: image.Architecture } : {}) };
  }

  async instanceType(type: string): Promise<InstanceTypeFacts | undefined> {
    const { InstanceTypes } = await this.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as never] })).catch(() => ({ InstanceTypes: [] }));
    const info = InstanceTypes?.[0];
    if (!info) return undefined;
    const enis = info.NetworkInfo?.MaximumNetworkInterfaces;
    const ips = info.NetworkInfo?.Ipv4AddressesPerInterface;
    return {
      vcpus: info.VCpuInfo?.DefaultVCpus ?? 2,
      memoryMiB: info.MemoryInfo?.SizeInMiB ?? 4096,
      ...(enis && ips ? { eniMaxPods: enis * (ips - 1) + 2 } : {}),
    };
  }

  async cluster(name: string): Promise<Cluster | undefined> {
    try {
      return (await this.eks.send(new DescribeClusterCommand({ name }))).cluster;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }
}
