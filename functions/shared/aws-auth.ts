// The kube-system/aws-auth ConfigMap: which IAM roles may join the cluster as nodes. Several InstanceGroups can
// share one node role, and people and other tools (eksctl, Terraform) keep their own entries in the same list, so
// every write is a read-modify-write guarded by resourceVersion, and only entries we can prove are ours are ever
// removed.
//
// Ownership: YAML comments do not survive other tools' edits, so the ConfigMap carries an annotation listing, for
// each role we mapped, the InstanceGroups ("namespace/name") that use it. An entry whose role is not in the
// annotation is unmanaged and is never touched. If we find an unmanaged entry for our role already present, we
// leave it as it is and do not claim it.
import { parse, stringify } from 'yaml';
import { retryWithBackoff } from '../../core/backoff/index.js';
import { httpStatusOf } from '../../core/kube/instancegroups.js';
import type { KubeRest } from '../../core/kube/rest.js';

interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string>; [key: string]: unknown };
  data?: Record<string, string>;
}

const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps';

export const AWS_AUTH = { namespace: 'kube-system', name: 'aws-auth' } as const;
export const MANAGED_ROLES_ANNOTATION = 'instancemgr.keikoproj.io/managed-node-roles';
export const NODE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';
export const NODE_GROUPS = ['system:bootstrappers', 'system:nodes'];

export interface RoleMapping {
  rolearn: string;
  username?: string;
  groups?: string[];
  [key: string]: unknown;
}

/** role ARN → InstanceGroups ("namespace/name") that use it. */
export type ManagedRoles = Record<string, string[]>;

export interface AwsAuthData {
  mapRoles: RoleMapping[];
  managed: ManagedRoles;
}

/**
 * aws-auth wants the role ARN without its path (arn:aws:iam::1:role/a/b/name → arn:aws:iam::1:role/name);
 * compare ARNs only in this form.
 */
export function mappableRoleArn(arn: string): string {
  const m = /^(arn:[^:]+:iam::\d*:role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? `${m[1]}/${m[2]}` : arn;
}

export function readAwsAuth(cm: ConfigMap | undefined): AwsAuthData {
  const raw = cm?.data?.mapRoles;
  const parsed = raw ? (parse(raw) as unknown) : [];
  if (parsed !== null && !Array.isArray(parsed)) {
    throw new Error('kube-system/aws-auth: data.mapRoles is not a YAML list; fix it by hand before instance-manager can add node roles');
  }
  const annotation = cm?.metadata?.annotations?.[MANAGED_ROLES_ANNOTATION];
  let managed: ManagedRoles = {};
  if (annotation) {
    try {
      managed = JSON.parse(annotation) as ManagedRoles;
    } catch {
      managed = {};
    }
  }
  return { mapRoles: (parsed ?? []) as RoleMapping[], managed };
}

export interface MergeResult {
  data: AwsAuthData;
  changed: boolean;
  /** Why an entry was kept or left alone; for logs and the step's result. */
  note: string;
}

/** Adds the node role for one group. Idempotent; never changes another entry. */
export function addNodeRole(data: AwsAuthData, roleArn: string, groupKey: string): MergeResult {
  const arn = mappableRoleArn(roleArn);
  const mapRoles = [...data.mapRoles];
  const managed: ManagedRoles = { ...data.managed };
  const existing = mapRoles.find((e) => mappableRoleArn(String(e.rolearn)) === arn);
  const users = managed[arn];
  if (existing && !users) {
    return { data, changed: false, note: `an entry for ${arn} already exists and is not managed by instance-manager; left as it is` };
  }
  if (users?.includes(groupKey) && existing) return { data, changed: false, note: `${arn} is already mapped for ${groupKey}` };
  if (!existing) mapRoles.push({ rolearn: arn, username: NODE_USERNAME, groups: [...NODE_GROUPS] });
  managed[arn] = [...new Set([...(users ?? []), groupKey])].sort();
  return { data: { mapRoles, managed }, changed: true, note: `mapped ${arn} for ${groupKey}` };
}

/**
 * Removes one group's claim on a role; the entry goes only when no InstanceGroup uses the role any more (neither in
 * our annotation nor, as `stillUsedBy` tells, in any InstanceGroup's status) and the entry is ours.
 */
export function removeNodeRole(data: AwsAuthData, roleArn: string, groupKey: string, stillUsedBy: string[]): MergeResult {
  const arn = mappableRoleArn(roleArn);
  const managed: ManagedRoles = { ...data.managed };
  const users = managed[arn];
  if (!users) {
    return { data, changed: false, note: `${arn} is not managed by instance-manager; its entry (if any) is left as it is` };
  }
  const remaining = [...new Set([...users.filter((u) => u !== groupKey), ...stillUsedBy.filter((u) => u !== groupKey)])].sort();
  if (remaining.length) {
    managed[arn] = remaining;
    const changed = remaining.length !== users.length || remaining.some((u, i) => u !== users[i]);
    return { data: { mapRoles: data.mapRoles, managed }, changed, note: `kept ${arn}: still used by ${remaining.join(', ')}` };
  }
  delete managed[arn];
  const mapRoles = data.mapRoles.filter((e) => mappableRoleArn(String(e.rolearn)) !== arn);
  return { data: { mapRoles, managed }, changed: true, note: `removed ${arn}: no InstanceGroup uses it any more` };
}

export function writeAwsAuth(cm: ConfigMap | undefined, data: AwsAuthData): ConfigMap {
  const annotations = { ...(cm?.metadata?.annotations ?? {}) };
  if (Object.keys(data.managed).length) annotations[MANAGED_ROLES_ANNOTATION] = JSON.stringify(data.managed);
  else delete annotations[MANAGED_ROLES_ANNOTATION];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...(cm?.metadata ?? {}), name: AWS_AUTH.name, namespace: AWS_AUTH.namespace, annotations },
    data: { ...(cm?.data ?? {}), mapRoles: data.mapRoles.length ? stringify(data.mapRoles) : '[]\n' },
  };
}

export interface AwsAuthUpdateOptions {
  maxConflicts?: number;
}

/**
 * Read-modify-write of aws-auth. The replace carries the resourceVersion that was read, so a concurrent writer makes
 * it fail with 409 and the change is recomputed on the fresh object. The ConfigMap is created when missing.
 */
export async function updateAwsAuth(
  kube: KubeRest,
  change: (data: AwsAuthData) => MergeResult,
  options: AwsAuthUpdateOptions = {},
): Promise<MergeResult> {
  return retryWithBackoff(
    async () => {
      let cm: ConfigMap | undefined;
      try {
        cm = await kube.get<ConfigMap>(`${AWS_AUTH_PATH}/${AWS_AUTH.name}`);
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw error;
      }
      const result = change(readAwsAuth(cm));
      if (!result.changed) return result;
      const body = writeAwsAuth(cm, result.data);
      if (cm) await kube.request('PUT', `${AWS_AUTH_PATH}/${AWS_AUTH.name}`, { body });
      else await kube.request('POST', AWS_AUTH_PATH, { body });
      return result;
    },
    {
      ...AWS_AUTH_CONFLICT_BACKOFF,
      maxAttempts: (options.maxConflicts ?? 8) + 1,
      // The write lost a race: another writer got there first (409), or the map went between the read and the PUT
      // (404; the read's own 404 is handled above).
      retryable: (error) => [409, 404].includes(httpStatusOf(error) ?? 0),
    },
  );
}

/** Pauses between read-modify-write attempts of aws-auth that lost a race: 25 ms doubling to 1 s, ±50 %. */
const AWS_AUTH_CONFLICT_BACKOFF = { initialMs: 25, maxMs: 1000, jitter: 0.5 };
