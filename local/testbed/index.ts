// The local test bed: a real kube-apiserver (+ etcd) and moto on loopback, started per test run; optionally
// kube-controller-manager, kube-scheduler and kwok (the kubelet of every registered Node) next to the API server.
import fs from 'node:fs';
import path from 'node:path';
import { prepareApiserverFiles, restartApiserver, startApiserver } from './apiserver.js';
import { resolveBinaries, type Binaries } from './binaries.js';
import { CONTROLLER_MANAGER_USER, SCHEDULER_USER, startControllerManager, startScheduler } from './components.js';
import { startEtcd } from './etcd.js';
import { ADMIN, DEFAULT_IDENTITIES, issueIdentities, type Identity } from './identities.js';
import { writeKubeconfigs } from './kubeconfig.js';
import { startKwok } from './kwok.js';
import type { ClientCa } from './pki.js';
import { resetMoto, startMoto } from './moto.js';
import { liveProcesses, reapLeftovers, stopRunDir, type ManagedProcess } from './process.js';
import { createRunDir, pruneRunDirs, runsRoot } from './rundir.js';

export { resetMoto } from './moto.js';
export { DEFAULT_IDENTITIES, serviceAccountIdentity, type Identity } from './identities.js';
export { issueClientCertificate, type ClientCa, type ClientCertificate } from './pki.js';
export type { Binaries } from './binaries.js';

/** Identities the bed adds for its own components when they run. */
const KWOK_IDENTITY = 'kwok';
const CONTROLLER_MANAGER_IDENTITY = 'kube-controller-manager';
const SCHEDULER_IDENTITY = 'kube-scheduler';

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
  /** Start kwok, the kubelet of every registered Node: keeps Nodes Ready, runs their pods (default false). */
  kwok?: boolean;
  /** Start kube-controller-manager with a trimmed set of controllers (default false). */
  controllerManager?: boolean | { controllers: string[] };
  /** Start kube-scheduler, which binds pods to Nodes (default false). */
  scheduler?: boolean;
}

export interface TestBedTimings {
  /** Resolving (or building) kube-apiserver and etcd. */
  binariesMs?: number;
  /** Spawn to ready, per process. */
  etcdMs?: number;
  motoMs?: number;
  apiserverMs?: number;
  kwokMs?: number;
  controllerManagerMs?: number;
  schedulerMs?: number;
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
    /** The CA of client certificates the apiserver accepts (to issue node identities, as kubelets have). */
    clientCa: ClientCa;
    /**
     * Stops kube-apiserver and starts it again on the same URL, certificate and etcd data, `downMs` later: the
     * restart a control-plane upgrade or a crash causes (the fault-injection soak uses it).
     */
    restartApiserver(downMs?: number): Promise<void>;
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
    await Promise.all(byName('kwok', 'kube-controller-manager', 'kube-scheduler').map((p) => p.stop()));
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
    const bins = options.binaries ?? (await resolveBinaries({ kwok: options.kwok, kubeControllerManager: !!options.controllerManager, kubeScheduler: options.scheduler }));
    timings.binariesMs = since(t);
    const identities = issueIdentities({
      ...(options.identities ?? DEFAULT_IDENTITIES),
      // kwok acts for every kubelet (any Node's status, leases, any pod's status): the bed's admin group.
      ...(options.kwok ? { [KWOK_IDENTITY]: { username: 'kwok', groups: ['system:masters'] } } : {}),
      ...(options.controllerManager ? { [CONTROLLER_MANAGER_IDENTITY]: { username: CONTROLLER_MANAGER_USER, groups: [] } } : {}),
      ...(options.scheduler ? { [SCHEDULER_IDENTITY]: { username: SCHEDULER_USER, groups: [] } } : {}),
    });
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
    const apiStart = { bin: bins.kubeApiserver, runDir, etcdUrl: etcd.url, files, adminToken: admin.token };
    const api = await startApiserver(apiStart);
    spawned.push(api.process);
    timings.apiserverMs = since(t);
    log(`[testbed] kube-apiserver ready at ${api.url} in ${timings.apiserverMs} ms`);
    const kubeconfigs = writeKubeconfigs({ dir: path.join(runDir, 'kubeconfigs'), server: api.url, caFile: api.caFile, identities });
    await Promise.all([
      options.kwok &&
        (async () => {
          const t = performance.now();
          if (!bins.kwok || !bins.kwokStages) throw new Error('kwok was asked for but no kwok binary (and stages) was given');
          const kwok = await startKwok({ bin: bins.kwok, stagesFile: bins.kwokStages, kubeconfig: kubeconfigs.get(KWOK_IDENTITY)!, runDir });
          spawned.push(kwok.process);
          timings.kwokMs = since(t);
          log(`[testbed] kwok ready in ${timings.kwokMs} ms`);
        })(),
      options.controllerManager &&
        (async () => {
          const t = performance.now();
          if (!bins.kubeControllerManager) throw new Error('kube-controller-manager was asked for but no binary was given');
          const kcm = await startControllerManager({
            bin: bins.kubeControllerManager,
            runDir,
            kubeconfig: kubeconfigs.get(CONTROLLER_MANAGER_IDENTITY)!,
            saKeyFile: files.saKeyFile,
            rootCaFile: api.caFile,
            ...(typeof options.controllerManager === 'object' ? { controllers: options.controllerManager.controllers } : {}),
          });
          spawned.push(kcm.process);
          timings.controllerManagerMs = since(t);
          log(`[testbed] kube-controller-manager ready in ${timings.controllerManagerMs} ms`);
        })(),
      options.scheduler &&
        (async () => {
          const t = performance.now();
          if (!bins.kubeScheduler) throw new Error('kube-scheduler was asked for but no binary was given');
          const scheduler = await startScheduler({ bin: bins.kubeScheduler, runDir, kubeconfig: kubeconfigs.get(SCHEDULER_IDENTITY)! });
          spawned.push(scheduler.process);
          timings.schedulerMs = since(t);
          log(`[testbed] kube-scheduler ready in ${timings.schedulerMs} ms`);
        })(),
    ]);
    return { api, apiStart, kubeconfigs, clientCa: files.clientCa };
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
      clientCa: kube.clientCa,
      async restartApiserver(downMs = 0) {
        kube.api = await restartApiserver(kube.apiStart, kube.api, downMs);
      },
      kubeconfigFor(identity: string): string {
        const p = kube.kubeconfigs.get(identity);
        if (!p) throw new Error(`no identity "${identity}" (known: ${[...kube.kubeconfigs.keys()].join(', ')})`);
        return p;
      },
    },
    stop: () => (stopping ??= stopAll()),
  };
}
