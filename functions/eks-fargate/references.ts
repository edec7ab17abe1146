// Pre-flight for eks-fargate: the cluster must exist, and so must a pod execution role the spec names. Subnets are
// left to EKS, which checks them when it creates the profile (they must be the cluster's private subnets).
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import { MissingReferenceError, type FieldProblem } from '../../core/errors/index.js';
import type { EksFargateSpec } from '../../core/spec/types.js';
import { checkRoleArn, describeCluster, type ClusterFacts } from '../shared/references.js';

export interface FargateReferenceClients {
  eks: EKSClient;
  iam: IAMClient;
  region: string;
}

const FIELD = 'spec.eks-fargate';

export async function checkFargateReferences(spec: EksFargateSpec, clients: FargateReferenceClients): Promise<ClusterFacts> {
  const [cluster, role] = await Promise.all([
    describeCluster(clients.eks, spec.clusterName),
    spec.podExecutionRoleArn ? checkRoleArn(clients.iam, spec.podExecutionRoleArn, `${FIELD}.podExecutionRoleArn`) : Promise.resolve(undefined),
  ]);
  const missing: FieldProblem[] = [];
  if (!cluster) missing.push({ field: `${FIELD}.clusterName`, message: `EKS cluster ${spec.clusterName} does not exist in ${clients.region}` });
  if (role) missing.push(role);
  if (missing.length) throw new MissingReferenceError(missing);
  return cluster!;
}
