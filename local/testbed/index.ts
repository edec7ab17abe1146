// The local test bed: a real kube-apiserver (+ etcd) and moto on loopback, started per test run.
import fs from 'node:fs';
import path from 'node:path';
import { startApiserver, prepareApiserverFiles } from './apiserver.js';
import { resolveBinaries, type Binaries } from './binaries.js';
import { startEtcd } from './etcd.js';
import { ADMIN, DEFAULT_IDENTITIES, issueIdentities, type Identity } from './identities.js';
import { writeKubeconfigs } from './kubeconfig.js';
import { resetMoto, startMoto } from './moto.js';
import { liveProcesses, reapLeftovers, stopRunDir, type ManagedProcess } from './process.js';
import { createRunDir, pruneRunDirs, runsRoot } from './rundir.js';

export { resetMoto } from './moto.js';
export { DEFAULT_IDENTITIES, serviceAccountIdentity, type Identity } from './identities.js';
export type { Binaries } from './binaries.js';

export interface TestBedOptions {
  /** Start etcd + kube-apiserver (default true). */
  kube?: boolean;
  /** Start moto (default true). */
  moto?: boolean;
  /** Limited identities besides `admin` (default: relay and workflows, as ServiceAccounts of instance-manager). */
  identities?: Record<string, Identity>;
  /** Where logs and data go (default: a new dir under <repo>/.testbed-logs/, last 10 kept). */
  runDir?: string;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
  /** Skip binary resolution (env vars / build script) and use these. */
  binaries?: Binaries;
}

export interface TestBedTimings {
  /** Resolving (or building) kube-apiserver and etcd. */
  binariesMs?: number;
  /** Spawn to ready, per process. */
  etcdMs?: number;
  motoMs?: number;
  apiserverMs?: number;
  /** From startTestBed() to everything ready. */
  totalMs: number;
  /** Duration of the last stop(). */
  stopMs?: number;
}

export interface TestBedProcess {
  name: string;
  pid: number;
  logPath: string;
}

export interface TestBed {
  kube?: {
    url: string;
    /** Admin kubeconfig (user admin, group system:masters). */
    kubeconfigPath: string;
    kubeconfigFor(identity: string): string;
    /** PEM the kubeconfigs trust (the apiserver's self-signed serving cert). */
    caPath: string;
    identities: string[];
  };
  moto?: { url: string; reset(): Promise<void> };
  runDir: string;
  timings: TestBedTimings;
  /** Every process this bed spawned (including its watchdog). */
  processes: TestBedProcess[];
  stop(): Promise<void>;
}

const since = (t: number) => Math.round(performance.now() - t);

export async function startTestBed(options: TestBedOptions = {}): Promise<TestBed> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const wantKube = options.kube ?? true;
  const wantMoto = options.moto ?? true;
  const timings: TestBedTimings = { totalMs: 0 };

  const root = runsRoot();
  for (const r of reapLeftovers(root)) log(`[testbed] killed leftover ${r.name} (pid ${r.pid}) of ${r.runDir}`);
  const runDir = path.resolve(options.runDir ?? createRunDir(root));
  if (!options.runDir) pruneRunDirs(root, 10);
  log(`[testbed] run dir ${runDir}`);

  const stopAll = async () => {
    const t = performance.now();
    const procs = liveProcesses(runDir);
    const byName = (...names: string[]) => procs.filter((p) => names.includes(p.name));
    // Clients first, then their storage; the watchdog goes when its last member is stopped.
    await Promise.all(byName('kube-apiserver', 'moto').map((p) => p.stop()));
    await Promise.all(byName('etcd').map((p) => p.stop()));
    await stopRunDir(runDir);
    // Logs, certs and kubeconfigs stay; etcd's data (a 64 MB preallocated WAL per run) does not.
    fs.rmSync(path.join(runDir, 'etcd-data'), { recursive: true, force: true });
    timings.stopMs = since(t);
  };

  const spawned: ManagedProcess[] = [];
  const motoTask = async () => {
    const t = performance.now();
    const moto = await startMoto({ runDir });
    spawned.push(moto.process);
    timings.motoMs = since(t);
    log(`[testbed] moto ready at ${moto.url} in ${timings.motoMs} ms`);
    return moto;
  };

  const kubeTask = async () => {
    let t = performance.now();
    const bins = options.binaries ?? (await resolveBinaries());
    timings.binariesMs = since(t);
    const identities = issueIdentities(options.identities ?? DEFAULT_IDENTITIES);
    const admin = identities.find((i) => i.name === ADMIN)!;
    t = performance.now();
    const [etcd, files] = await Promise.all([
      startEtcd({ bin: bins.etcd, runDir }),
      prepareApiserverFiles(runDir, identities),
    ]);
    spawned.push(etcd.process);
    timings.etcdMs = since(t);
    log(`[testbed] etcd ready at ${etcd.url} in ${timings.etcdMs} ms`);
    t = performance.now();
    const api = await startApiserver({ bin: bins.kubeApiserver, runDir, etcdUrl: etcd.url, files, adminToken: admin.token });
    spawned.push(api.process);
    timings.apiserverMs = since(t);
    log(`[testbed] kube-apiserver ready at ${api.url} in ${timings.apiserverMs} ms`);
    const kubeconfigs = writeKubeconfigs({ dir: path.join(runDir, 'kubeconfigs'), server: api.url, caFile: api.caFile, identities });
    return { api, kubeconfigs };
  };

  const [motoResult, kubeResult] = await Promise.allSettled([
    wantMoto ? motoTask() : Promise.resolve(undefined),
    wantKube ? kubeTask() : Promise.resolve(undefined),
  ]);
  if (motoResult.status === 'rejected' || kubeResult.status === 'rejected') {
    await stopAll().catch(() => {});
    const errors = [motoResult, kubeResult].flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    const message = errors.map((e) => e.message).join('\n\n');
    throw new Error(`test bed failed to start (run dir ${runDir}):\n${message}`, { cause: errors[0] });
  }
  timings.totalMs = since(t0);
  log(`[testbed] ready in ${timings.totalMs} ms`);

  const moto = motoResult.value;
  const kube = kubeResult.value;
  let stopping: Promise<void> | undefined;
  return {
    runDir,
    timings,
    processes: [...spawned, ...liveProcesses(runDir).filter((p) => !spawned.includes(p))].map((p) => ({
      name: p.name,
      pid: p.pid,
      logPath: p.logPath,
    })),
    moto: moto && { url: moto.url, reset: () => resetMoto(moto.url) },
    kube: kube && {
      url: kube.api.url,
      kubeconfigPath: kube.kubeconfigs.get(ADMIN)!,
      caPath: kube.api.caFile,
      identities: [...kube.kubeconfigs.keys()],
      kubeconfigFor(identity: string): string {
        const p = kube.kubeconfigs.get(identity);
        if (!p) throw new Error(`no identity "${identity}" (known: ${[...kube.kubeconfigs.keys()].join(', ')})`);
        return p;
      },
    },
    stop: () => (stopping ??= stopAll()),
  };
}
