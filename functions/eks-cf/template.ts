// The CloudFormation template for one eks-cf InstanceGroup: node role and instance profile (unless an existing
// role is given), a launch template with the image family's boot configuration (./boot), and an Auto Scaling group without an
// update policy (the workflow rotates instances). Everything is inline (no template parameters), so comparing the rendered template with the
// deployed one is enough to know whether the stack needs an update.
import { instanceProfileName, launchTemplateName, ownershipTags, roleName, stackName, type GroupRef } from '../../core/names/index.js';
import type { EksCfSpec, Tags } from '../../core/spec/types.js';
import { IAM_PATH } from '../../core/policy/policy.js';
import { kubeletSettings, renderUserData, type ClusterFacts } from './boot/index.js';
import type { ResolvedImage } from './image.js';
import type { ClusterIdentity } from '../../core/events/index.js';
import { GROUP_CLUSTER_TAG, groupClusterTagValue } from './group-cluster-tag.js';
import { baseNodePoliciesIn } from '../shared/node-policies.js';


export const OUTPUTS = {
  roleArn: 'NodeInstanceRoleArn',
  scalingGroup: 'AutoScalingGroupName',
  launchTemplate: 'LaunchTemplateName',
} as const;

export interface RenderInput {
  group: GroupRef;
  spec: EksCfSpec;
  /** ARN of spec.existingRole's role, found by the reference check; required when existingRole is set. */
  existingRoleArn?: string;
  /** The cluster as DescribeCluster reported it when the references were checked. */
  cluster: ClusterFacts;
  /** The AMI and its family, as the reference check resolved them. */
  image: ResolvedImage;
  /** The stack's region, for cfn-signal. */
  region: string;
  /** The cluster the InstanceGroup object lives in (the change's cluster), tagged so stack events find the group. */
  groupCluster?: ClusterIdentity;
}

export interface RenderedStack {
  stackName: string;
  template: Record<string, unknown>;
  /** Stack tags; CloudFormation copies them onto every resource that supports tags. */
  tags: Tags;
  launchTemplateName: string;
  scalingGroupName: string;
}

/** The user data of the launch template: the family's boot configuration for this cluster. */
export function userData(input: RenderInput, stack: string): string {
  const { group, spec, cluster, image, region } = input;
  return renderUserData(image.family, {
    cluster,
    kubelet: kubeletSettings(group, spec),
    ...(spec.strategy.rollingUpdate.waitOnResourceSignals ? { signal: { stackName: stack, resource: 'NodeGroup', region } } : {}),
  });
}

/** User tags first, then ours: instance-manager's ownership tags always win. */
export function stackTags(group: GroupRef, spec: EksCfSpec, groupCluster?: ClusterIdentity): Tags {
  const user = Object.fromEntries(Object.entries(spec.tags).filter(([k]) => !k.startsWith('aws:')));
  return { ...user, ...ownershipTags(group), ...(groupCluster ? { [GROUP_CLUSTER_TAG]: groupClusterTagValue(groupCluster) } : {}) };
}

export function renderStack(input: RenderInput): RenderedStack {
  const { group, spec, existingRoleArn, image, region } = input;
  const stack = stackName(group);
  const ltName = launchTemplateName(group);
  const tags = stackTags(group, spec, input.groupCluster);
  const resources: Record<string, unknown> = {};

  if (!spec.existingRole) {
    resources.NodeInstanceRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: roleName(group, 'nodes'),
        Path: IAM_PATH,
        Description: `Nodes of InstanceGroup ${group.namespace}/${group.name} in EKS cluster ${group.clusterName}`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
        },
        ManagedPolicyArns: [...new Set([...baseNodePoliciesIn(region), ...spec.managedPolicies])],
        Tags: toTagList(tags),
      },
    };
    resources.NodeInstanceProfile = {
      Type: 'AWS::IAM::InstanceProfile',
      Properties: { InstanceProfileName: instanceProfileName(group), Path: IAM_PATH, Roles: [{ Ref: 'NodeInstanceRole' }] },
    };
  } else if (!existingRoleArn) {
    throw new Error('renderStack: existingRoleArn is required when the spec names an existing role');
  }

  const launchData: Record<string, unknown> = {
    ImageId: image.id,
    InstanceType: spec.instanceType,
    IamInstanceProfile: spec.existingRole ? { Name: spec.existingRole.instanceProfileName } : { Arn: { 'Fn::GetAtt': ['NodeInstanceProfile', 'Arn'] } },
    SecurityGroupIds: spec.securityGroups,
    BlockDeviceMappings: [
      {
        DeviceName: '/dev/xvda',
        Ebs: {
          VolumeSize: spec.volSize,
          VolumeType: spec.volType,
          ...(spec.volIops !== undefined ? { Iops: spec.volIops } : {}),
          ...(spec.volThroughput !== undefined ? { Throughput: spec.volThroughput } : {}),
          DeleteOnTermination: true,
        },
      },
    ],
    MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: spec.metadataHopLimit },
    UserData: { 'Fn::Base64': userData(input, stack) },
    TagSpecifications: ['instance', 'volume'].map((ResourceType) => ({ ResourceType, Tags: toTagList(tags) })),
  };
  if (spec.keyPairName) launchData.KeyName = spec.keyPairName;
  if (spec.spotPrice) launchData.InstanceMarketOptions = { MarketType: 'spot', SpotOptions: { MaxPrice: spec.spotPrice } };

  resources.NodeLaunchTemplate = {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateName: ltName,
      LaunchTemplateData: launchData,
      // The template itself carries the ownership tags, so the service role may change only templates that are ours.
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: toTagList(tags) }],
    },
  };

  // DesiredCapacity is left out on purpose: on create the group starts at MinSize (the Auto Scaling default), and
  // on update CloudFormation leaves the current desired capacity alone (Auto Scaling only moves it back into
  // [MinSize, MaxSize]), so a spec change never resets what an autoscaler or a person set.
  const asgProperties: Record<string, unknown> = {
    AutoScalingGroupName: stack,
    MinSize: String(spec.minSize),
    MaxSize: String(spec.maxSize),
    VPCZoneIdentifier: spec.subnets,
    LaunchTemplate: {
      LaunchTemplateId: { Ref: 'NodeLaunchTemplate' },
      Version: { 'Fn::GetAtt': ['NodeLaunchTemplate', 'LatestVersionNumber'] },
    },
    Tags: [
      ...toTagList({ ...tags, Name: `${group.clusterName}-${group.namespace}-${group.name}`, [`kubernetes.io/cluster/${group.clusterName}`]: 'owned' }).map(
        (t) => ({ ...t, PropagateAtLaunch: true }),
      ),
    ],
  };
  if (spec.metricsCollection.length) {
    const all = spec.metricsCollection.some((m) => m.toLowerCase() === 'all');
    asgProperties.MetricsCollection = [{ Granularity: '1Minute', ...(all ? {} : { Metrics: spec.metricsCollection }) }];
  }
  // No UpdatePolicy: CloudFormation only moves the group to the new launch template version and never replaces
  // instances itself. The apply workflow rotates outdated instances, draining each node first (issue 12).
  resources.NodeGroup = { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: asgProperties };

  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `instance-manager: eks-cf InstanceGroup ${group.namespace}/${group.name} in EKS cluster ${group.clusterName}`,
    Resources: resources,
    Outputs: {
      [OUTPUTS.roleArn]: { Value: spec.existingRole ? existingRoleArn : { 'Fn::GetAtt': ['NodeInstanceRole', 'Arn'] } },
      [OUTPUTS.scalingGroup]: { Value: { Ref: 'NodeGroup' } },
      [OUTPUTS.launchTemplate]: { Value: ltName },
    },
  };
  return { stackName: stack, template, tags, launchTemplateName: ltName, scalingGroupName: stack };
}

export function toTagList(tags: Tags): { Key: string; Value: string }[] {
  return Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
}

/** JSON with object keys sorted, so two templates compare equal whatever order their keys were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface DeployedStack {
  templateBody: string | Record<string, unknown> | undefined;
  tags: { Key?: string; Value?: string }[] | undefined;
}

/** What differs between the deployed stack and the rendered one; empty when no update is needed. */
export function stackDifferences(deployed: DeployedStack, rendered: RenderedStack): string[] {
  const differences: string[] = [];
  let body: unknown = deployed.templateBody;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  if (canonicalJson(body) !== canonicalJson(rendered.template)) differences.push('template');
  const deployedTags = Object.fromEntries((deployed.tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  if (canonicalJson(deployedTags) !== canonicalJson(rendered.tags)) differences.push('tags');
  return differences;
}
