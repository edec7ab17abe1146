// Reference checks every EKS provisioner makes before it creates anything: the cluster the spec names, and an IAM
// role the spec names by ARN.
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { FieldProblem } from '../../core/errors/index.js';
import { awsFind } from './aws-errors.js';
import { findRole, roleNameOfArn } from './iam-role.js';

export interface ClusterFacts {
  clusterArn?: string;
  clusterVersion?: string;
  clusterStatus?: string;
}

/** The cluster the spec names; undefined when it does not exist. */
export async function describeCluster(eks: EKSClient, clusterName: string): Promise<ClusterFacts | undefined> {
  const out = await awsFind(`Reading EKS cluster ${clusterName}`, () => eks.send(new DescribeClusterCommand({ name: clusterName })));
  if (!out?.cluster) return undefined;
  return {
    ...(out.cluster.arn ? { clusterArn: out.cluster.arn } : {}),
    ...(out.cluster.version ? { clusterVersion: out.cluster.version } : {}),
    ...(out.cluster.status ? { clusterStatus: out.cluster.status } : {}),
  };
}

/** An IAM role the spec names by ARN must exist (its account and path are EKS's to check). */
export async function checkRoleArn(iam: IAMClient, arn: string, field: string): Promise<FieldProblem | undefined> {
  const role = await findRole(iam, roleNameOfArn(arn));
  return role ? undefined : { field, message: `IAM role ${arn} does not exist` };
}
