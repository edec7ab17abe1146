// The AWS partition a region belongs to: ARNs of AWS-managed policies differ per partition
// (arn:aws:…, arn:aws-cn:…, arn:aws-us-gov:…).

const PARTITION_PREFIXES: [prefix: string, partition: string][] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
];

export function partitionOf(region: string): string {
  // Longest prefix first: us-isob- must not match us-iso-.
  const match = [...PARTITION_PREFIXES].sort((a, b) => b[0].length - a[0].length).find(([prefix]) => region.startsWith(prefix));
  return match?.[1] ?? 'aws';
}

/**
 * A managed policy given by bare name (`AmazonSSMManagedInstanceCore`, as the original accepted) → its AWS-managed
 * policy ARN in the partition; a full ARN is kept as given.
 */
export function managedPolicyArn(policy: string, partition = 'aws'): string {
  return policy.startsWith('arn:') ? policy : `arn:${partition}:iam::aws:policy/${policy}`;
}
