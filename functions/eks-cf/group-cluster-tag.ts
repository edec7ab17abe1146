// Which cluster an eks-cf stack's InstanceGroup object lives in. That is the relay's cluster, the one each change
// event names, and the one the workflows reach the group through. spec.clusterName names the cluster the nodes join,
// and it may differ. A CloudFormation event carries only the stack, so the stack carries this tag, and the event
// handler can find the group (and the token on it) without guessing.
import { clusterArn, type ClusterIdentity } from '../../core/events/index.js';
import { partitionOf } from '../../core/aws/partition.js';

export const GROUP_CLUSTER_TAG = 'instancemgr.keikoproj.io/group-cluster';

const EKS_ARN = /^arn:([^:]+):eks:([^:]+):(\d{12}):cluster\/(.+)$/;

/** The tag's value: the cluster's EKS ARN when region and account are known, else its name. */
export function groupClusterTagValue(cluster: ClusterIdentity): string {
  return (cluster.region ? clusterArn(cluster, partitionOf(cluster.region)) : undefined) ?? cluster.name;
}

/** The identity back from a tag value; undefined for an absent or empty value. */
export function parseGroupClusterTag(value: string | undefined): ClusterIdentity | undefined {
  if (!value) return undefined;
  const arn = EKS_ARN.exec(value);
  return arn ? { name: arn[4]!, region: arn[2]!, accountId: arn[3]! } : { name: value };
}
