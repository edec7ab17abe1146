// Resolves the kube-apiserver and etcd binaries: from IM_KUBE_APISERVER_BIN / IM_ETCD_BIN when set,
// otherwise from build-binaries.sh (which builds them once per machine and prints its cache dir).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Binaries {
  kubeApiserver: string;
  etcd: string;
}

const BUILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-binaries.sh');

let cached: Promise<string> | undefined;

function assertExecutable(file: string, what: string): string {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${what} is not an executable file: ${file}`);
  }
  return path.resolve(file);
}

/** Runs build-binaries.sh (stderr goes straight to ours so a person sees build progress); returns its last stdout line. */
function runBuildScript(): Promise<string> {
  cached ??= new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const dir = out.trim().split('\n').pop()?.trim();
      if (code === 0 && dir) resolve(dir);
      else reject(new Error(`${BUILD_SCRIPT} failed (exit ${code ?? signal}); see its output above`));
    });
  }).catch((err: unknown) => {
    cached = undefined; // let a later call retry
    throw err;
  });
  return cached;
}

export async function resolveBinaries(env: NodeJS.ProcessEnv = process.env): Promise<Binaries> {
  const fromEnvApi = env.IM_KUBE_APISERVER_BIN;
  const fromEnvEtcd = env.IM_ETCD_BIN;
  const dir = fromEnvApi && fromEnvEtcd ? undefined : await runBuildScript();
  return {
    kubeApiserver: assertExecutable(fromEnvApi || path.join(dir!, 'kube-apiserver'), 'kube-apiserver'),
    etcd: assertExecutable(fromEnvEtcd || path.join(dir!, 'etcd'), 'etcd'),
  };
}
