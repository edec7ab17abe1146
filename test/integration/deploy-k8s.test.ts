// The cluster side as `kubectl apply` installs it: every manifest under infra/k8s passes a server-side dry run on a
// real kube-apiserver, and once applied, an identity in the Kubernetes group the Lambda roles are mapped to (access
// entry or aws-auth) can do what the workflows do, and no more.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startTestBed, DEFAULT_IDENTITIES, type TestBed } from '../../local/testbed/index.js';
import { KUBERNETES_GROUP, NODE_ACCESS_GROUP } from '../../scripts/package-aws.config.js';
import { waitForCrd } from '../../local/kubectl.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';

const K8S = path.resolve(new URL('../../infra/k8s', import.meta.url).pathname);

interface Unit {
  /** kubectl arguments selecting it: -f <file> or -k <kustomization dir> */
  args: string[];
  label: string;
  docs: { kind?: string; metadata?: { name?: string; namespace?: string } }[];
}

/** Every manifest file under infra/k8s; a folder with a kustomization.yaml is applied as one unit with -k. */
function manifestUnits(dir = K8S): Unit[] {
  const entries = readdirSync(dir).sort();
  if (entries.includes('kustomization.yaml') || entries.includes('kustomization.yml')) {
    const docs = entries
      .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
      .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as Unit['docs'][number]));
    return [{ args: ['-k', dir], label: path.relative(K8S, dir) + '/ (kustomize)', docs }];
  }
  return entries.flatMap((f) => {
    const full = path.join(dir, f);
    if (statSync(full).isDirectory()) return manifestUnits(full);
    if (!/\.(ya?ml|json)$/.test(f)) return [];
    const docs = parseAllDocuments(readFileSync(full, 'utf8')).map((d) => d.toJS() as Unit['docs'][number]).filter(Boolean);
    return [{ args: ['-f', full], label: path.relative(K8S, full), docs }];
  });
}

const units = manifestUnits();
let bed: TestBed;
let admin: string;
let lambda: string;
let nodeLambda: string;

beforeAll(async () => {
  bed = await startTestBed({
    moto: false,
    identities: {
      ...DEFAULT_IDENTITIES,
      // What an EKS token for a workflow Lambda's role authenticates as once mapped (access entry or aws-auth).
      lambda: { username: 'instance-manager-workflows:lambda-session', groups: [KUBERNETES_GROUP, 'system:authenticated'] },
      // A Lambda that maps node roles (kubernetes: node-access): both groups.
      'node-lambda': { username: 'instance-manager-workflows:node-session', groups: [KUBERNETES_GROUP, NODE_ACCESS_GROUP, 'system:authenticated'] },
    },
  });
  admin = bed.kube!.kubeconfigPath;
  lambda = bed.kube!.kubeconfigFor('lambda');
  nodeLambda = bed.kube!.kubeconfigFor('node-lambda');
}, 240_000);

afterAll(async () => {
  await bed?.stop();
});

describe('infra/k8s on a real API server', () => {
  it('finds the manifests', () => {
    expect(units.length).toBeGreaterThan(0);
    expect(units.map((u) => u.label)).toEqual(expect.arrayContaining(['crd.yaml', 'workflows-rbac.yaml', 'workflows-access.yaml']));
  });

  it('passes a server-side dry run, manifest by manifest, once the namespaces and CRDs they declare exist', async () => {
    // A dry run creates nothing, so namespaced objects need their Namespace, and custom objects (the installation
    // policy) their CRD, for real first (as an install does).
    const namespaces = new Set(units.flatMap((u) => u.docs.filter((d) => d?.kind === 'Namespace').map((d) => d.metadata!.name!)));
    for (const ns of namespaces) kubectlOk(admin, ['create', 'namespace', ns]);
    for (const u of units.filter((unit) => unit.docs.some((d) => d?.kind === 'CustomResourceDefinition'))) {
      kubectlOk(admin, ['apply', ...u.args]);
      for (const d of u.docs.filter((doc) => doc?.kind === 'CustomResourceDefinition')) await waitForCrd(admin, d.metadata!.name!);
    }
    const failures: string[] = [];
    for (const u of units) {
      const r = kubectl(admin, ['apply', '--dry-run=server', ...u.args]);
      if (r.code !== 0) failures.push(`${u.label}: ${r.stderr.trim()}`);
      else expect(r.stdout).toMatch(/\(server dry run\)/);
    }
    expect(failures).toEqual([]);
  });

  it('lets the group the Lambda roles map to do what the workflows need, and nothing else', () => {
    for (const file of ['crd.yaml', 'workflows-rbac.yaml', 'workflows-access.yaml']) kubectlOk(admin, ['apply', '-f', path.join(K8S, file)]);
    const can = (...args: string[]) => kubectl(lambda, ['auth', 'can-i', ...args]).stdout.trim();
    expect(can('get', 'instancegroups.instancemgr.keikoproj.io', '-A')).toBe('yes');
    expect(can('list', 'instancegroups.instancemgr.keikoproj.io', '-A')).toBe('yes');
    expect(can('patch', 'instancegroups.instancemgr.keikoproj.io', '-n', 'default')).toBe('yes');
    expect(can('patch', 'instancegroups.instancemgr.keikoproj.io/status', '--subresource=status', '-n', 'default')).toBe('yes');
    expect(can('create', 'events', '-n', 'default')).toBe('yes');
    expect(can('get', 'instancemanagerpolicies.instancemgr.keikoproj.io/default')).toBe('yes');
    // Only the node-access steps may write aws-auth (issue 13): every other step may not even read it.
    expect(can('update', 'configmaps/aws-auth', '-n', 'kube-system')).toBe('no');
    expect(can('get', 'configmaps/aws-auth', '-n', 'kube-system')).toBe('no');
    expect(can('create', 'configmaps', '-n', 'kube-system')).toBe('no');
    expect(can('update', 'instancemanagerpolicies.instancemgr.keikoproj.io/default')).toBe('no');
    // Not: other ConfigMaps, Secrets, deleting groups, or anything cluster-wide beyond that.
    expect(can('update', 'configmaps/kube-proxy', '-n', 'kube-system')).toBe('no');
    expect(can('get', 'secrets', '-n', 'kube-system')).toBe('no');
    expect(can('delete', 'instancegroups.instancemgr.keikoproj.io', '-n', 'default')).toBe('no');
    expect(can('create', 'clusterrolebindings')).toBe('no');
  });

  it('lets only the node-access group (the steps that map and unmap node roles) write aws-auth', () => {
    for (const file of ['crd.yaml', 'workflows-rbac.yaml', 'workflows-access.yaml']) kubectlOk(admin, ['apply', '-f', path.join(K8S, file)]);
    const can = (...args: string[]) => kubectl(nodeLambda, ['auth', 'can-i', ...args]).stdout.trim();
    expect(can('update', 'configmaps/aws-auth', '-n', 'kube-system')).toBe('yes');
    expect(can('create', 'configmaps', '-n', 'kube-system')).toBe('yes');
    expect(can('patch', 'instancegroups.instancemgr.keikoproj.io/status', '--subresource=status', '-n', 'default')).toBe('yes');
    expect(can('update', 'configmaps/kube-proxy', '-n', 'kube-system')).toBe('no');
    expect(can('get', 'secrets', '-n', 'kube-system')).toBe('no');
  });

  it('gives the local node-access ServiceAccount aws-auth and the workflows ServiceAccount none', () => {
    kubectlOk(admin, ['apply', '-f', path.join(K8S, 'workflows-rbac.yaml')]);
    const can = (identity: string, ...args: string[]) => kubectl(bed.kube!.kubeconfigFor(identity), ['auth', 'can-i', ...args]).stdout.trim();
    expect(can('node-access', 'update', 'configmaps/aws-auth', '-n', 'kube-system')).toBe('yes');
    expect(can('workflows', 'update', 'configmaps/aws-auth', '-n', 'kube-system')).toBe('no');
    expect(can('workflows', 'get', 'instancemanagerpolicies.instancemgr.keikoproj.io/default')).toBe('yes');
  });
});
