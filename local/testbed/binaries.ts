// Resolves the test bed's binaries (kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kwok): each from its IM_*_BIN
// variable when set, otherwise from build-binaries.sh (which builds them once per machine and prints its cache dir).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Binaries {
  kubeApiserver: string;
  etcd: string;
  /** Needed only when the test bed starts kube-controller-manager. */
  kubeControllerManager?: string;
  /** Needed only when the test bed starts kube-scheduler. */
  kubeScheduler?: string;
  /** Needed only when the test bed starts kwok, with the Stage documents it runs (the module's defaults). */
  kwok?: string;
  kwokStages?: string;
}

/** Keep in step with build-binaries.sh, which names the kwok binary after its version. */
const DEFAULT_KWOK_VERSION = 'v0.8.0';

const ENV_VARS = {
  kubeApiserver: 'IM_KUBE_APISERVER_BIN',
  etcd: 'IM_ETCD_BIN',
  kubeControllerManager: 'IM_KUBE_CONTROLLER_MANAGER_BIN',
  kubeScheduler: 'IM_KUBE_SCHEDULER_BIN',
  kwok: 'IM_KWOK_BIN',
  kwokStages: 'IM_KWOK_STAGES',
} as const;

const BUILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-binaries.sh');

let cached: Promise<string> | undefined;

function assertUsable(file: string, what: string, mode = constants.X_OK): string {
  try {
    accessSync(file, mode);
  } catch {
    throw new Error(`${what} is not ${mode === constants.X_OK ? 'an executable' : 'a readable'} file: ${file}`);
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

type Optional = 'kubeControllerManager' | 'kubeScheduler' | 'kwok';

/** The binaries the test bed needs; kube-controller-manager, kube-scheduler and kwok only when asked for. */
export async function resolveBinaries(want: Partial<Record<Optional, boolean>> = {}, env: NodeJS.ProcessEnv = process.env): Promise<Binaries> {
  const fromEnv = (key: keyof typeof ENV_VARS) => env[ENV_VARS[key]] || undefined;
  const wanted = (key: keyof typeof ENV_VARS): boolean =>
    key === 'kwokStages' ? !!want.kwok : key === 'kubeApiserver' || key === 'etcd' ? true : !!want[key];
  const needed = (Object.keys(ENV_VARS) as (keyof typeof ENV_VARS)[]).filter(wanted);
  const dir = needed.every((k) => fromEnv(k)) ? undefined : await runBuildScript();
  const kwokVersion = env.IM_KWOK_VERSION || DEFAULT_KWOK_VERSION;
  const file = (key: keyof typeof ENV_VARS, name: string) => assertUsable(fromEnv(key) ?? path.join(dir!, name), name);
  return {
    kubeApiserver: file('kubeApiserver', 'kube-apiserver'),
    etcd: file('etcd', 'etcd'),
    ...(want.kubeControllerManager ? { kubeControllerManager: file('kubeControllerManager', 'kube-controller-manager') } : {}),
    ...(want.kubeScheduler ? { kubeScheduler: file('kubeScheduler', 'kube-scheduler') } : {}),
    ...(want.kwok
      ? {
          kwok: file('kwok', `kwok-${kwokVersion}`),
          kwokStages: assertUsable(fromEnv('kwokStages') ?? path.join(dir!, `kwok-${kwokVersion}-stages.yaml`), 'kwok stages', constants.R_OK),
        }
      : {}),
  };
}
