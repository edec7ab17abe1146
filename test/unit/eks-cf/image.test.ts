// moto 5.2.1's SSM serves no /aws/service/eks or /aws/service/bottlerocket parameters and refuses to create names
// under /aws, so alias resolution is proven here against stubbed SSM and EC2 clients.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { MissingReferenceError } from '../../../core/errors/index.js';
import { aliasParameter, familyFromImage, resolveImage } from '../../../functions/eks-cf/image.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';

const images: Record<string, { Name: string; Description?: string }> = {
  'ami-al2023': { Name: 'amazon-eks-node-al2023-x86_64-standard-1.31-v20250101', Description: 'EKS-optimized Kubernetes node based on Amazon Linux 2023' },
  'ami-br': { Name: 'bottlerocket-aws-k8s-1.31-x86_64-v1.30.0-abc' },
  'ami-al2': { Name: 'amazon-eks-node-1.29-v20240117', Description: 'EKS Kubernetes Worker AMI with AmazonLinux2 image' },
  'ami-custom': { Name: 'my-golden-image' },
};
const parameters: Record<string, string> = {
  '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id': 'ami-al2023',
  '/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_id': 'ami-br',
};

function clients() {
  const ssm = stubClient<SSMClient>({
    GetParameter: (input) => {
      const value = parameters[String(input.Name)];
      if (!value) throw awsError('ParameterNotFound', 'not found');
      return { Parameter: { Name: input.Name, Value: value } };
    },
  });
  const ec2 = stubClient<EC2Client>({
    DescribeImages: (input) => {
      const id = (input.Filters as { Values: string[] }[])[0]!.Values[0]!;
      return { Images: images[id] ? [{ ImageId: id, ...images[id] }] : [] };
    },
  });
  return { ssm, ec2, both: { ssm: ssm.client, ec2: ec2.client } };
}
const ask = (image: string, extra: Record<string, string> = {}) => ({ image, kubernetesVersion: '1.31', region: 'us-west-2', ...extra });

describe('image aliases', () => {
  it('resolve through the public SSM parameter for the cluster version', async () => {
    const c = clients();
    await expect(resolveImage(ask('al2023'), c.both)).resolves.toEqual({
      id: 'ami-al2023',
      family: 'al2023',
      alias: 'al2023',
      parameter: '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id',
    });
    await expect(resolveImage(ask('bottlerocket'), c.both)).resolves.toMatchObject({ id: 'ami-br', family: 'bottlerocket' });
    expect(c.ssm.calls.map((call) => call.input.Name)).toEqual([
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id',
      '/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_id',
    ]);
  });

  it('name the parameter paths of every alias', () => {
    expect(aliasParameter('al2023-arm64', '1.32').name).toBe('/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/arm64/standard/recommended/image_id');
    expect(aliasParameter('bottlerocket-arm64', '1.32').name).toBe('/aws/service/bottlerocket/aws-k8s-1.32/arm64/latest/image_id');
    expect(aliasParameter('al2-arm64', '1.29')).toEqual({ name: '/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id', family: 'al2' });
  });

  it('an alias with no parameter for the version is a missing reference naming the field and the path', async () => {
    const c = clients();
    const error = await resolveImage(ask('al2', { kubernetesVersion: '1.33' }), c.both).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).message).toMatch(/^spec\.eks-cf\.configuration\.image: image al2: AWS publishes no \/aws\/service\/eks\/optimized-ami\/1\.33\/amazon-linux-2\/recommended\/image_id/);
  });
});

describe('image families', () => {
  it('come from the spec first, then the image name and description, then default to AL2023', async () => {
    const c = clients();
    await expect(resolveImage(ask('ami-al2'), c.both)).resolves.toEqual({ id: 'ami-al2', family: 'al2' });
    await expect(resolveImage(ask('ami-custom'), c.both)).resolves.toEqual({ id: 'ami-custom', family: 'al2023' });
    await expect(resolveImage(ask('ami-custom', { imageFamily: 'bottlerocket' }), c.both)).resolves.toEqual({ id: 'ami-custom', family: 'bottlerocket' });
    expect(familyFromImage(images['ami-br']!)).toBe('bottlerocket');
    expect(familyFromImage(images['ami-al2023']!)).toBe('al2023');
    // moto's seeded EKS image
    expect(familyFromImage({ Name: 'amazon-eks-node-linux', Description: 'EKS Kubernetes Worker AMI with AmazonLinux2 image' })).toBe('al2');
  });

  it('an AMI that does not exist is a missing reference', async () => {
    await expect(resolveImage(ask('ami-nope'), clients().both)).rejects.toThrow('spec.eks-cf.configuration.image: ami-nope does not exist in us-west-2');
  });
});
