// Who an instance's role is in a cluster that authenticates through the kube-system/aws-auth ConfigMap, as
// aws-iam-authenticator maps it: the mapRoles entry whose rolearn is the role's ARN without its path (entries with a
// path never match), its username with {{EC2PrivateDNSName}}, {{SessionName}} (an instance's role session is named
// after the instance) and {{AccountID}} filled in, and its groups. No entry: the API server answers 401.
import { parse } from 'yaml';
import { KubeApiError, type KubeRest } from '../../core/kube/rest.js';

export interface NodeUser {
  username: string;
  groups: string[];
}

export interface InstanceIdentity {
  roleArn: string;
  privateDnsName: string;
  instanceId: string;
  accountId: string;
}

export class NotAuthorised extends Error {
  override name = 'NotAuthorised';
}

interface MapRole {
  rolearn?: unknown;
  username?: unknown;
  groups?: unknown;
}

/** arn:aws:iam::1:role/some/path/name → arn:aws:iam::1:role/name */
export function roleArnWithoutPath(arn: string): string {
  const m = /^(arn:[^:]+:iam::\d+:role\/)(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? `${m[1]}${m[2]}` : arn;
}

function renderUsername(template: string, who: InstanceIdentity): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const values: Record<string, string> = { EC2PrivateDNSName: who.privateDnsName, SessionName: who.instanceId, AccountID: who.accountId };
    const value = values[name];
    if (value === undefined) throw new NotAuthorised(`aws-auth username ${template} uses ${whole}, which the emulator does not fill in`);
    return value;
  });
}

export async function nodeUserFromAwsAuth(kube: KubeRest, who: InstanceIdentity): Promise<NodeUser> {
  let data: Record<string, string> | undefined;
  try {
    data = (await kube.get<{ data?: Record<string, string> }>('/api/v1/namespaces/kube-system/configmaps/aws-auth')).data;
  } catch (error) {
    if (error instanceof KubeApiError && error.code === 404) throw new NotAuthorised('kube-system/aws-auth does not exist: no role is mapped (401 Unauthorized)');
    throw error;
  }
  let entries: MapRole[];
  try {
    entries = (parse(data?.mapRoles ?? '[]') ?? []) as MapRole[];
  } catch (error) {
    throw new NotAuthorised(`kube-system/aws-auth mapRoles is not YAML: ${(error as Error).message}`);
  }
  const wanted = roleArnWithoutPath(who.roleArn).toLowerCase();
  const entry = (Array.isArray(entries) ? entries : []).find((e) => typeof e?.rolearn === 'string' && e.rolearn.trim().toLowerCase() === wanted);
  if (!entry) throw new NotAuthorised(`role ${who.roleArn} is not mapped in kube-system/aws-auth mapRoles (401 Unauthorized)`);
  if (typeof entry.username !== 'string' || !entry.username) throw new NotAuthorised(`aws-auth entry for ${wanted} has no username`);
  const groups = Array.isArray(entry.groups) ? entry.groups.filter((g): g is string => typeof g === 'string') : [];
  return { username: renderUsername(entry.username, who), groups };
}
