// What the benchmark needs before it starts, checked up front and reported all at once: a run that fails half-way
// through (or, worse, silently measures something else) is worse than one that does not start.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binaries local/testbed/build-binaries.sh builds, where it puts them (without building anything). */
export function testBedBinaries(repoRoot: string, env: NodeJS.ProcessEnv = process.env): { kubeApiserver: string; etcd: string } {
  if (env.IM_KUBE_APISERVER_BIN && env.IM_ETCD_BIN) return { kubeApiserver: env.IM_KUBE_APISERVER_BIN, etcd: env.IM_ETCD_BIN };
  const script = readFileSync(path.join(repoRoot, 'local/testbed/build-binaries.sh'), 'utf8');
  const k8s = env.IM_K8S_VERSION || /K8S_VERSION="\$\{IM_K8S_VERSION:-([^}]+)\}"/.exec(script)?.[1];
  const etcd = env.IM_ETCD_VERSION || /ETCD_VERSION="\$\{IM_ETCD_VERSION:-([^}]+)\}"/.exec(script)?.[1];
  const cacheRoot = env.IM_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'instance-manager');
  const dir = path.join(cacheRoot, 'bin', `k8s-${k8s}-etcd-${etcd}`);
  return { kubeApiserver: env.IM_KUBE_APISERVER_BIN || path.join(dir, 'kube-apiserver'), etcd: env.IM_ETCD_BIN || path.join(dir, 'etcd') };
}

export function checkPreconditions(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Check[] {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    what: 'Node 22',
    ok: major === 22,
    detail: `running ${process.version} (${process.execPath})`,
    fix: 'run it as `npm run bench`, which uses the node@22 devDependency (`npm ci` installs it)',
  });

  const kubectl = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  let kubectlVersion: string | undefined;
  try {
    if (kubectl.status === 0) kubectlVersion = (JSON.parse(kubectl.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? 'unknown version';
  } catch {
    kubectlVersion = 'unknown version';
  }
  checks.push({ what: 'kubectl', ok: !!kubectlVersion, detail: kubectlVersion ?? (kubectl.error?.message || kubectl.stderr?.trim() || 'not found'), fix: 'put kubectl on PATH' });

  const python = env.IM_PYTHON ?? 'python3';
  const moto = spawnSync(python, ['-c', 'import moto, flask; print(moto.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  checks.push({
    what: 'moto importable',
    ok: moto.status === 0,
    detail: moto.status === 0 ? `moto ${moto.stdout.trim()} (${python})` : moto.error?.message || moto.stderr.trim().split('\n').pop() || `${python} exited with ${moto.status ?? moto.signal}`,
    fix: `${python} -m pip install 'moto[server]==5.2.1' (or run scripts/bootstrap.sh)`,
  });

  const bins = testBedBinaries(repoRoot, env);
  const missing = Object.values(bins).filter((b) => !executable(b));
  checks.push({
    what: 'kube-apiserver and etcd built',
    ok: missing.length === 0,
    detail: missing.length ? `missing: ${missing.join(', ')}` : path.dirname(bins.kubeApiserver),
    fix: 'npm run testbed:build (10-20 minutes, once per machine), or set IM_KUBE_APISERVER_BIN and IM_ETCD_BIN',
  });

  const esbuild = path.join(repoRoot, 'node_modules', '.bin', 'esbuild');
  checks.push({ what: 'npm dependencies', ok: executable(esbuild), detail: executable(esbuild) ? 'node_modules present' : `no ${esbuild}`, fix: 'npm ci' });
  return checks;
}

export function formatFailures(checks: Check[]): string {
  const failed = checks.filter((c) => !c.ok);
  return [
    `npm run bench: ${failed.length} precondition${failed.length === 1 ? '' : 's'} not met:`,
    ...failed.map((c) => `  ✗ ${c.what}: ${c.detail}${c.fix ? `\n      fix: ${c.fix}` : ''}`),
  ].join('\n');
}
