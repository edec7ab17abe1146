// Which boot agent an image runs, told the way its publisher names it: Bottlerocket images are named
// bottlerocket-aws-k8s-…; EKS-optimised Amazon Linux 2023 images amazon-eks-node-al2023-… (description "EKS-optimized
// Kubernetes node based on Amazon Linux 2023"); Amazon Linux 2 ones amazon-eks-node-<version>-… (description "EKS
// Kubernetes Worker AMI with AmazonLinux2 image"). An image that says none of this is taken as AL2023, the family
// of every EKS-optimised image for current Kubernetes versions (custom images are usually built from it).
import type { ImageFamily } from './boot-config.js';

export interface ImageFacts {
  name?: string;
  description?: string;
}

export type FamilyVerdict = { family: ImageFamily; because: string } | { family: undefined; because: string };

export function imageFamily(image: ImageFacts): FamilyVerdict {
  const text = `${image.name ?? ''} ${image.description ?? ''}`;
  if (/windows/i.test(text)) return { family: undefined, because: 'a Windows image (not emulated)' };
  if (/bottlerocket/i.test(text)) return { family: 'bottlerocket', because: 'a Bottlerocket image' };
  if (/al2023|amazon linux 2023/i.test(text)) return { family: 'al2023', because: 'an Amazon Linux 2023 image (nodeadm)' };
  if (/amazonlinux2|amazon linux 2\b|amzn2|amazon-eks(-gpu|-arm64)?-node-\d/i.test(text)) {
    return { family: 'al2', because: 'an Amazon Linux 2 image (bootstrap.sh)' };
  }
  return { family: 'al2023', because: 'an image that names no family, taken as Amazon Linux 2023 (nodeadm)' };
}
