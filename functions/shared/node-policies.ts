// The AWS-managed policies every node role instance-manager creates carries (eks-cf's stack role and eks-managed's
// node role alike): the EKS worker, CNI and ECR read-only policies. Their ARNs name the partition the account is
// in (arn:aws:…, arn:aws-cn:…, arn:aws-us-gov:…), so they are derived from it rather than written out.
import { managedPolicyArn, partitionOf } from '../../core/aws/partition.js';

export const BASE_NODE_POLICY_NAMES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'] as const;

/** The base node policies' ARNs in a partition. */
export function baseNodePolicies(partition: string): string[] {
  return BASE_NODE_POLICY_NAMES.map((name) => managedPolicyArn(name, partition));
}

/** The base node policies' ARNs for nodes in a region. */
export function baseNodePoliciesIn(region: string): string[] {
  return baseNodePolicies(partitionOf(region));
}
