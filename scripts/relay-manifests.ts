// npm run relay:manifests [-- --check]
//
// The relay's Kubernetes manifests have one source, the Helm chart infra/helm/instance-manager-relay. The kustomize
// base infra/k8s/relay is rendered from it with ci/kustomize-base-values.yaml: the chart's own comments are kept,
// Helm's bookkeeping labels dropped, one file per template. --check fails when the files on disk differ (the test
// suite runs it), so the two cannot drift. infra/k8s/relay/namespace.yaml and kustomization.yaml are hand-written
// (a chart does not own its namespace).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHART_DIR = path.join(ROOT, 'infra', 'helm', 'instance-manager-relay');
export const KUSTOMIZE_DIR = path.join(ROOT, 'infra', 'k8s', 'relay');
export const RELEASE = 'instance-manager-relay';
export const NAMESPACE = 'instance-manager';
/** The Kubernetes version helm renders for; the test bed's (local/testbed/build-binaries.sh). */
export const KUBE_VERSION = '1.36.0';

const HELM_ONLY_LABELS = /^\s+(helm\.sh\/chart|app\.kubernetes\.io\/managed-by|app\.kubernetes\.io\/instance|app\.kubernetes\.io\/version):.*\n/gm;
const HEADER = '# Generated from the Helm chart infra/helm/instance-manager-relay (ci/kustomize-base-values.yaml) by\n# scripts/relay-manifests.ts: change the chart, then run `npm run relay:manifests`.\n';

/** The helm binary: built from its Go module into the machine-wide cache on first use (local/testbed/build-helm.sh). */
export function helmBinary(): string {
  if (process.env.HELM) return process.env.HELM;
  const run = spawnSync('bash', [path.join(ROOT, 'local', 'testbed', 'build-helm.sh')], { encoding: 'utf8', timeout: 1_800_000 });
  if (run.status !== 0) throw new Error(`could not build helm:\n${run.stderr}`);
  return run.stdout.trim().split('\n').at(-1)!;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[], helmPath = helmBinary()): HelmResult {
  const run = spawnSync(helmPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: run.status ?? -1, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

/** `helm template` of the chart with the given values files and --set pairs. */
export function renderChart(valuesFiles: string[], sets: string[] = [], helmPath = helmBinary()): HelmResult {
  return helm(
    [
      'template', RELEASE, CHART_DIR,
      '--namespace', NAMESPACE,
      '--kube-version', KUBE_VERSION,
      ...valuesFiles.flatMap((f) => ['-f', f]),
      ...sets.flatMap((s) => ['--set', s]),
    ],
    helmPath,
  );
}

/** The kustomize base's files (name → text), rendered from the chart. */
export function kustomizeBase(helmPath = helmBinary()): Map<string, string> {
  const out = renderChart([path.join(CHART_DIR, 'ci', 'kustomize-base-values.yaml')], [], helmPath);
  if (out.code !== 0) throw new Error(`helm template failed: ${out.stderr}`);
  const files = new Map<string, string[]>();
  for (const doc of out.stdout.split(/^---\n/m)) {
    const source = /^# Source: [^/]+\/templates\/(.+)$/m.exec(doc)?.[1];
    if (!source) continue;
    const body = doc.replace(/^# Source: .*\n/m, '').replace(HELM_ONLY_LABELS, '').trimEnd();
    files.set(path.basename(source), [...(files.get(path.basename(source)) ?? []), body]);
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, docs]) => [name, `${HEADER}${docs.join('\n---\n')}\n`]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [name, text] of kustomizeBase()) {
    const file = path.join(KUSTOMIZE_DIR, name);
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {}
    if (current === text) continue;
    if (check) stale.push(path.relative(ROOT, file));
    else {
      writeFileSync(file, text);
      console.log(`wrote ${path.relative(ROOT, file)}`);
    }
  }
  if (stale.length) {
    console.error(`stale (run npm run relay:manifests): ${stale.join(', ')}`);
    process.exit(1);
  }
}
