// KubeconfigAccess: which kubeconfig context serves a cluster identity (name, region, account).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { clusterArn, describeCluster } from '../../../core/events/index.js';
import { KubeconfigAccess } from '../../../core/kube/access.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'cluster-access-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, contexts: Record<string, string>): string {
  const at = path.join(dir, file);
  const names = Object.keys(contexts);
  writeFileSync(
    at,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: names.map((name) => ({ name, cluster: { server: contexts[name] } })),
      users: names.map((name) => ({ name, user: { token: `token-${name}` } })),
      contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })),
      'current-context': names[0],
    }),
  );
  return at;
}

const serverOf = async (access: KubeconfigAccess, identity: Parameters<KubeconfigAccess['connect']>[0]) => (await access.connect(identity)).connection.server;

describe('cluster identity', () => {
  test('an EKS ARN when region and account are known, and a readable name for messages', () => {
    expect(clusterArn({ name: 'prod', region: 'us-west-2', accountId: '111122223333' })).toBe('arn:aws:eks:us-west-2:111122223333:cluster/prod');
    expect(clusterArn({ name: 'prod', region: 'us-west-2' })).toBeUndefined();
    expect(describeCluster({ name: 'prod', region: 'us-west-2', accountId: '111122223333' })).toBe('prod (account 111122223333, us-west-2)');
    expect(describeCluster({ name: 'prod' })).toBe('prod');
  });
});

describe('KubeconfigAccess', () => {
  test('picks the context named by the EKS ARN first, so same-named clusters in two regions stay apart', async () => {
    const file = kubeconfig('two-regions.yaml', {
      'arn:aws:eks:us-west-2:111122223333:cluster/prod': 'https://west.example:443',
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod': 'https://eu.example:443',
      staging: 'https://staging.example:443',
    });
    const access = new KubeconfigAccess(file);
    expect(await serverOf(access, { name: 'prod', region: 'us-west-2', accountId: '111122223333' })).toBe('https://west.example:443');
    expect(await serverOf(access, { name: 'prod', region: 'eu-west-1', accountId: '111122223333' })).toBe('https://eu.example:443');
    expect(await serverOf(access, { name: 'staging', region: 'us-west-2' })).toBe('https://staging.example:443');
  });

  test('with several contexts, a cluster none names is an error naming what to add, never a guess', async () => {
    const file = kubeconfig('several.yaml', { a: 'https://a.example:443', b: 'https://b.example:443' });
    await expect(new KubeconfigAccess(file).connect({ name: 'prod', region: 'us-west-2', accountId: '111122223333' })).rejects.toThrow(
      `kubeconfig ${file} has no context for cluster prod (account 111122223333, us-west-2): name one arn:aws:eks:us-west-2:111122223333:cluster/prod or prod (it has a, b)`,
    );
  });

  test('a kubeconfig with a single context serves every cluster (the local control plane)', async () => {
    const file = kubeconfig('single.yaml', { testbed: 'https://127.0.0.1:6443' });
    expect(await serverOf(new KubeconfigAccess(file), { name: 'my-eks-cluster', region: 'us-west-2' })).toBe('https://127.0.0.1:6443');
  });
});
