import { normalizeSpec } from '../../../core/spec/normalize.js';
import type { EksCfSpec } from '../../../core/spec/types.js';
import { renderStack, stackDifferences, userData, type RenderedStack } from '../../../functions/eks-cf/template.js';
import { loadManifest, REFERENCE_SAMPLES } from '../../support/fixtures.js';

const group = { clusterName: 'my-eks-cluster', namespace: 'team-a', name: 'hello-world' };
const sample = () => loadManifest(REFERENCE_SAMPLES.eksCf);
const specOf = (raw = sample().spec) => normalizeSpec(raw) as EksCfSpec;
type Res = Record<string, { Type: string; Properties: Record<string, any>; UpdatePolicy?: any }>;
const resources = (r: RenderedStack) => r.template.Resources as Res;
const cluster = {
  name: 'my-eks-cluster',
  endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
  certificateAuthority: 'LS0tLS1CRUdJTg==',
  serviceCidr: '172.20.0.0/16',
  version: '1.31',
  authenticationMode: 'CONFIG_MAP',
};
const facts = { cluster, image: { id: 'ami-089d3b6350c1769a6', family: 'al2' as const }, region: 'us-west-2' };

describe('eks-cf template rendering', () => {
  test('no UpdatePolicy: CloudFormation only moves the group to the new launch template version, the workflow rotates', () => {
    const raw = sample().spec;
    raw.strategy = { type: 'rollingUpdate', rollingUpdate: { maxBatchSize: 2, pauseTime: 'PT1M', maxUnavailable: '50%' } };
    for (const spec of [specOf(), specOf(raw)]) {
      const asg = resources(renderStack({ ...facts, group, spec })).NodeGroup!;
      expect(asg.UpdatePolicy).toBeUndefined();
      expect(asg.Properties.LaunchTemplate.Version).toEqual({ 'Fn::GetAtt': ['NodeLaunchTemplate', 'LatestVersionNumber'] });
    }
  });

  test('the launch template boots the resolved image with its family\'s user data, IMDSv2 and hop limit 1', () => {
    const spec = specOf();
    const lt = resources(renderStack({ ...facts, group, spec })).NodeLaunchTemplate!.Properties.LaunchTemplateData;
    const script = userData({ ...facts, group, spec }, 'stack');
    expect(script).toContain("/etc/eks/bootstrap.sh 'my-eks-cluster' --apiserver-endpoint 'https://ABC.gr7.us-west-2.eks.amazonaws.com'");
    expect(lt.UserData).toEqual({ 'Fn::Base64': script });
    expect(lt).toMatchObject({ ImageId: 'ami-089d3b6350c1769a6', InstanceType: 'm5.large', KeyName: 'my-key', SecurityGroupIds: ['sg-q1w2e3r4t5y6u7i8'] });
    expect(lt.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    expect(lt.BlockDeviceMappings[0].Ebs).toMatchObject({ VolumeSize: 20, VolumeType: 'gp3' });
    const raw = sample().spec;
    raw['eks-cf']!.configuration.metadataHopLimit = 2;
    const optedIn = resources(renderStack({ ...facts, group, spec: specOf(raw) })).NodeLaunchTemplate!.Properties.LaunchTemplateData;
    expect(optedIn.MetadataOptions.HttpPutResponseHopLimit).toBe(2);
  });

  test('an alias resolved to another AMI, or another family, changes the launch template', () => {
    const spec = specOf();
    const al2023 = renderStack({ ...facts, group, spec, image: { id: 'ami-0al2023', family: 'al2023', alias: 'al2023' } });
    const lt = resources(al2023).NodeLaunchTemplate!.Properties.LaunchTemplateData;
    expect(lt.ImageId).toBe('ami-0al2023');
    expect(lt.UserData['Fn::Base64']).toContain('application/node.eks.aws');
  });

  test('tags: the user tags and the ownership tags reach the stack, the ASG (propagated to instances) and the role', () => {
    const rendered = renderStack({ ...facts, group, spec: specOf() });
    expect(rendered.tags).toMatchObject({ mykey: 'myvalue', 'instancemgr.keikoproj.io/namespace': 'team-a', 'instancemgr.keikoproj.io/name': 'hello-world' });
    const asgTags = resources(rendered).NodeGroup!.Properties.Tags as { Key: string; Value: string; PropagateAtLaunch: boolean }[];
    expect(asgTags).toContainEqual({ Key: 'mykey', Value: 'myvalue', PropagateAtLaunch: true });
    expect(asgTags).toContainEqual({ Key: 'kubernetes.io/cluster/my-eks-cluster', Value: 'owned', PropagateAtLaunch: true });
    expect(resources(rendered).NodeInstanceRole!.Properties.Tags).toContainEqual({ Key: 'mykey', Value: 'myvalue' });
  });

  test("the stack names the cluster the group object lives in, even when spec.clusterName is another", () => {
    const rendered = renderStack({ ...facts, group, spec: specOf(), groupCluster: { name: 'relay-cluster', region: 'us-west-2', accountId: '123456789012' } });
    expect(rendered.tags).toMatchObject({
      'instancemgr.keikoproj.io/cluster': 'my-eks-cluster',
      'instancemgr.keikoproj.io/group-cluster': 'arn:aws:eks:us-west-2:123456789012:cluster/relay-cluster',
    });
  });

  test('the ASG has min and max but no DesiredCapacity, so an update never resets the desired size', () => {
    const asg = resources(renderStack({ ...facts, group, spec: specOf() })).NodeGroup!.Properties;
    expect(asg).toMatchObject({ MinSize: '1', MaxSize: '3', VPCZoneIdentifier: ['subnet-1a2b3c4d', 'subnet-4d3c2b1a', 'subnet-0w9x8y7z'] });
    expect(asg).not.toHaveProperty('DesiredCapacity');
  });

  test('an existing role: no role or instance profile resources; the profile is named and the role ARN is the output', () => {
    const raw = sample().spec;
    Object.assign(raw['eks-cf']!.configuration, { roleName: 'shared', instanceProfileName: 'shared-profile' });
    const rendered = renderStack({ ...facts, group, spec: specOf(raw), existingRoleArn: 'arn:aws:iam::1:role/shared' });
    expect(Object.keys(resources(rendered)).sort()).toEqual(['NodeGroup', 'NodeLaunchTemplate']);
    expect(resources(rendered).NodeLaunchTemplate!.Properties.LaunchTemplateData.IamInstanceProfile).toEqual({ Name: 'shared-profile' });
    expect((rendered.template.Outputs as Record<string, { Value: unknown }>).NodeInstanceRoleArn!.Value).toBe('arn:aws:iam::1:role/shared');
  });

  test('managed policies are added to the worker, CNI and ECR policies', () => {
    const raw = sample().spec;
    raw['eks-cf']!.configuration.managedPolicies = ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'];
    const arns = resources(renderStack({ ...facts, group, spec: specOf(raw) })).NodeInstanceRole!.Properties.ManagedPolicyArns;
    expect(arns).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
  });
});

describe('eks-cf change detection', () => {
  const deployedFrom = (r: RenderedStack) => ({
    templateBody: JSON.stringify(r.template),
    tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
  });

  test('the same spec rendered again needs no update, whatever the key order of the deployed template', () => {
    const rendered = renderStack({ ...facts, group, spec: specOf() });
    expect(stackDifferences(deployedFrom(rendered), renderStack({ ...facts, group, spec: specOf() }))).toEqual([]);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(rendered.template).reverse()));
    expect(stackDifferences({ ...deployedFrom(rendered), templateBody: reordered }, rendered)).toEqual([]);
    // GetTemplate may hand back a parsed object.
    expect(stackDifferences({ ...deployedFrom(rendered), templateBody: rendered.template }, rendered)).toEqual([]);
  });

  test('a size change, an instance type change or a tag change is detected', () => {
    const before = deployedFrom(renderStack({ ...facts, group, spec: specOf() }));
    expect(stackDifferences(before, renderStack({ ...facts, group, spec: { ...specOf(), maxSize: 5 } }))).toEqual(['template']);
    expect(stackDifferences(before, renderStack({ ...facts, group, spec: { ...specOf(), instanceType: 'm5.xlarge' } }))).toEqual(['template']);
    expect(stackDifferences(before, renderStack({ ...facts, group, spec: { ...specOf(), tags: { mykey: 'other' } } }))).toEqual(['template', 'tags']);
  });

  test('in aws-cn and aws-us-gov regions the node role gets the base policies of that partition', () => {
    for (const [region, partition] of [['cn-northwest-1', 'aws-cn'], ['us-gov-east-1', 'aws-us-gov']] as const) {
      const arns = resources(renderStack({ ...facts, region, group, spec: specOf() })).NodeInstanceRole!.Properties.ManagedPolicyArns as string[];
      expect(arns).toContain(`arn:${partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy`);
      expect(arns.some((arn) => arn.startsWith('arn:aws:'))).toBe(false);
    }
  });
});
