// Authorising a node role in the cluster the spec names: an EKS access entry where the cluster's authentication mode
// includes API, aws-auth otherwise. The cluster decides, read with DescribeCluster each time, so a cluster moved
// from CONFIG_MAP to API is served the new way at the next apply.
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { classifyError } from '../../core/errors/index.js';
import type { KubeRest } from '../../core/kube/rest.js';
import { grantNodeAccessEntry, revokeNodeAccessEntry } from './access-entry.js';
import { addNodeRole, mappableRoleArn, updateAwsAuth } from './aws-auth.js';
import { unmapGroup } from './unmap.js';

/** Clusters created before access entries existed (and moto, which has none) behave as CONFIG_MAP. */
export const DEFAULT_AUTHENTICATION_MODE = 'CONFIG_MAP';

export type NodeAccessMethod = 'access-entry' | 'aws-auth';

export interface NodeAccessDeps {
  eks: EKSClient;
  /** The API server of the target cluster (only aws-auth needs it). */
  kube: (clusterName: string) => Promise<KubeRest>;
}

export interface NodeAccessResult {
  method: NodeAccessMethod;
  clusterName: string;
  changed: boolean;
  note: string;
}

export async function accessMethod(eks: EKSClient, clusterName: string): Promise<NodeAccessMethod> {
  let mode: string;
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
    mode = cluster?.accessConfig?.authenticationMode ?? DEFAULT_AUTHENTICATION_MODE;
  } catch (error) {
    throw classifyError(error, `Reading the authentication mode of cluster ${clusterName}`);
  }
  return mode.split('_AND_').includes('API') ? 'access-entry' : 'aws-auth';
}

export async function authorizeNodeRole(deps: NodeAccessDeps, clusterName: string, roleArn: string, groupKey: string): Promise<NodeAccessResult> {
  const method = await accessMethod(deps.eks, clusterName);
  const result =
    method === 'access-entry'
      ? await grantNodeAccessEntry(deps.eks, clusterName, roleArn, groupKey)
      : await updateAwsAuth(await deps.kube(clusterName), (data) => addNodeRole(data, roleArn, groupKey));
  return { method, clusterName, changed: result.changed, note: result.note };
}

/**
 * Releases the group's claim on its node role. `roleArn` is unknown when a retried delete found the stack already
 * gone: aws-auth then finds the group's claims in our annotation. `stillUsedBy` names, per role, the other groups
 * whose status reports it.
 */
export async function revokeNodeRole(
  deps: NodeAccessDeps,
  clusterName: string,
  roleArn: string | undefined,
  groupKey: string,
  stillUsedBy: (roleArn: string) => string[],
): Promise<NodeAccessResult> {
  let method: NodeAccessMethod;
  try {
    method = await accessMethod(deps.eks, clusterName);
  } catch (error) {
    // A cluster that no longer exists holds no access for the role: nothing to revoke, and the delete goes on.
    if ((error as { cause?: { name?: string } }).cause?.name !== 'ResourceNotFoundException') throw error;
    return { method: 'aws-auth', clusterName, changed: false, note: `cluster ${clusterName} no longer exists; nothing to revoke` };
  }
  if (method === 'access-entry') {
    if (!roleArn) return { method, clusterName, changed: false, note: 'no node role recorded for this group; access entries are left as they are' };
    const result = await revokeNodeAccessEntry(deps.eks, clusterName, roleArn, groupKey, stillUsedBy(mappableRoleArn(roleArn)));
    return { method, clusterName, changed: result.changed, note: result.note };
  }
  const result = await updateAwsAuth(await deps.kube(clusterName), (data) => unmapGroup(data, groupKey, roleArn, stillUsedBy));
  return { method, clusterName, changed: result.changed, note: result.note };
}
