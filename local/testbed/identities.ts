// Identities the test apiserver knows: an admin plus limited users that look like ServiceAccounts, so that RBAC
// manifests binding ServiceAccounts apply to them. Each gets a random bearer token (static --token-auth-file).
import { randomBytes } from 'node:crypto';

export interface Identity {
  username: string;
  groups: string[];
}

export interface IssuedIdentity extends Identity {
  name: string;
  token: string;
}

export const ADMIN = 'admin';

export const ADMIN_IDENTITY: Identity = { username: 'admin', groups: ['system:masters'] };

export function serviceAccountIdentity(namespace: string, name: string): Identity {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

export const DEFAULT_IDENTITIES: Record<string, Identity> = {
  relay: serviceAccountIdentity('instance-manager', 'instance-manager-relay'),
  workflows: serviceAccountIdentity('instance-manager', 'instance-manager-workflows'),
  // The steps that map and unmap node roles in aws-auth, and nothing else, hold this identity.
  'node-access': serviceAccountIdentity('instance-manager', 'instance-manager-node-access'),
  // A team member: no rights until a test binds a Role in the team's namespace (test/e2e/security.test.ts).
  'team-member': { username: 'team-member', groups: ['team-a-developers', 'system:authenticated'] },
};

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const CSV_UNSAFE = /[",\r\n]/;

/** Admin first (overridable under the key "admin"), then the given identities, each with a fresh token. */
export function issueIdentities(identities: Record<string, Identity> = DEFAULT_IDENTITIES): IssuedIdentity[] {
  const all: Record<string, Identity> = { [ADMIN]: ADMIN_IDENTITY, ...identities };
  return Object.entries(all).map(([name, id]) => {
    if (!NAME.test(name)) throw new Error(`identity name "${name}" must be lowercase letters, digits and dashes`);
    if (!id.username || CSV_UNSAFE.test(id.username)) throw new Error(`identity "${name}": bad username "${id.username}"`);
    for (const g of id.groups) if (!g || CSV_UNSAFE.test(g)) throw new Error(`identity "${name}": bad group "${g}"`);
    return { name, username: id.username, groups: [...id.groups], token: randomBytes(24).toString('hex') };
  });
}

/** Contents of kube-apiserver's --token-auth-file: token,user,uid,"group1,group2" */
export function tokenAuthFile(issued: IssuedIdentity[]): string {
  return issued.map((i) => `${i.token},${i.username},${i.name},"${i.groups.join(',')}"\n`).join('');
}
