// Writes one kubeconfig per identity: bearer token, server URL, and the apiserver's generated serving cert as CA.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { IssuedIdentity } from './identities.js';

export function kubeconfigYaml(opts: { server: string; caFile: string; identity: IssuedIdentity }): string {
  const name = `testbed-${opts.identity.name}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'testbed', cluster: { server: opts.server, 'certificate-authority': opts.caFile } }],
    users: [{ name: opts.identity.name, user: { token: opts.identity.token } }],
    contexts: [{ name, context: { cluster: 'testbed', user: opts.identity.name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

/** Writes <dir>/<identity>.kubeconfig for each identity (mode 0600); returns identity name → path. */
export function writeKubeconfigs(opts: { dir: string; server: string; caFile: string; identities: IssuedIdentity[] }): Map<string, string> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const paths = new Map<string, string>();
  for (const identity of opts.identities) {
    const file = path.join(opts.dir, `${identity.name}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigYaml({ server: opts.server, caFile: opts.caFile, identity }), { mode: 0o600 });
    paths.set(identity.name, file);
  }
  return paths;
}
