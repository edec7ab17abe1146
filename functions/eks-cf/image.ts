// Which AMI the nodes start from and how it boots. An alias resolves through AWS's public SSM parameters for the
// cluster's Kubernetes version; the family comes from the spec, the alias, or the image's own name and description.
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { MissingReferenceError, classifyError } from '../../core/errors/index.js';
import type { ImageFamily } from '../../core/spec/types.js';

export interface ResolvedImage {
  /** The AMI ID the launch template uses. */
  id: string;
  family: ImageFamily;
  /** The alias it came from, when the spec gave one. */
  alias?: string;
  /** The SSM parameter an alias was read from. */
  parameter?: string;
}

const FIELD = 'spec.eks-cf.configuration.image';

/** The public SSM parameter that holds the current AMI for an alias and a Kubernetes version. */
export function aliasParameter(alias: string, version: string): { name: string; family: ImageFamily } {
  const arm = alias.endsWith('-arm64');
  const base = alias.replace(/-arm64$/, '');
  switch (base) {
    case 'al2023':
      return { name: `/aws/service/eks/optimized-ami/${version}/amazon-linux-2023/${arm ? 'arm64' : 'x86_64'}/standard/recommended/image_id`, family: 'al2023' };
    case 'bottlerocket':
      return { name: `/aws/service/bottlerocket/aws-k8s-${version}/${arm ? 'arm64' : 'x86_64'}/latest/image_id`, family: 'bottlerocket' };
    case 'al2':
      return { name: `/aws/service/eks/optimized-ami/${version}/amazon-linux-2${arm ? '-arm64' : ''}/recommended/image_id`, family: 'al2' };
    default:
      throw new Error(`unknown image alias ${alias}`);
  }
}

export const isAlias = (image: string): boolean => !image.startsWith('ami-');

/**
 * The family an image says it is: Bottlerocket and AL2023 by name or description; AL2 by the EKS AL2 naming
 * (amazon-eks-node-1.xx-…, amazon-eks-gpu-node-…, "AmazonLinux2"); undefined when it says nothing.
 */
export function familyFromImage(image: Pick<Image, 'Name' | 'Description'>): ImageFamily | undefined {
  const text = `${image.Name ?? ''} ${image.Description ?? ''}`.toLowerCase();
  if (text.includes('bottlerocket')) return 'bottlerocket';
  if (/al2023|amazon linux 2023|amazonlinux2023/.test(text)) return 'al2023';
  if (/amazon-eks-(gpu-|arm64-)?node-(1\.\d+|linux)|amazonlinux2|amazon linux 2\b/.test(text)) return 'al2';
  return undefined;
}

export interface ImageQuestion {
  image: string;
  imageFamily?: ImageFamily;
  kubernetesVersion: string;
  region: string;
}

/**
 * Resolves the spec's image to an AMI that exists, and its family. Throws MissingReferenceError naming the field
 * when the alias has no parameter for this version or the AMI is not visible to the account.
 */
export async function resolveImage(q: ImageQuestion, clients: { ec2: EC2Client; ssm: SSMClient }): Promise<ResolvedImage> {
  let id = q.image;
  let aliasFamily: ImageFamily | undefined;
  let parameter: string | undefined;
  if (isAlias(q.image)) {
    const wanted = aliasParameter(q.image, q.kubernetesVersion);
    parameter = wanted.name;
    aliasFamily = wanted.family;
    try {
      const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: wanted.name }));
      id = Parameter?.Value ?? '';
    } catch (error) {
      if ((error as { name?: string }).name !== 'ParameterNotFound') throw classifyError(error, `Reading SSM parameter ${wanted.name}`);
      id = '';
    }
    if (!id) {
      throw new MissingReferenceError([
        {
          field: FIELD,
          message: `image ${q.image}: AWS publishes no ${wanted.name} in ${q.region} (Kubernetes ${q.kubernetesVersion || 'version unknown'}); use another alias or an AMI ID`,
        },
      ]);
    }
  }
  let images: Image[] = [];
  try {
    ({ Images: images = [] } = await clients.ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: [id] }] })));
  } catch (error) {
    throw classifyError(error, 'Checking the image');
  }
  const found = images.find((i) => i.ImageId === id);
  if (!found) {
    const from = parameter ? ` (resolved from ${q.image} through ${parameter})` : '';
    throw new MissingReferenceError([{ field: FIELD, message: `${id}${from} does not exist in ${q.region} or is not shared with this account` }]);
  }
  const family = q.imageFamily ?? aliasFamily ?? familyFromImage(found) ?? 'al2023';
  return { id, family, ...(parameter ? { alias: q.image, parameter } : {}) };
}
