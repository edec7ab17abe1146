// The API server's client-facing port: a TCP pass-through in front of kube-apiserver that accepts connections only
// while the API server behind it is ready, as the load balancer in front of an EKS cluster's endpoint sends traffic
// only to API servers that pass its health check. kube-apiserver itself serves requests before it is ready: for a
// moment after a start its RBAC authorizer has not synced and refuses every non-admin identity with 403, which no
// client of EKS ever sees. While the gate is shut the port is closed (clients get ECONNREFUSED, as they would from
// an endpoint with no healthy API server); connections already through stay until the API server ends them. TLS
// passes through untouched, so the API server's own serving certificate is what clients verify.
//
// The gate runs as its own process (readiness-gate-main.ts, a tcp-pass-through.ts): the test bed's users block their
// event loop in spawnSync (kubectl), which must not stall the connections kubectl itself makes. SIGUSR1 shuts it,
// SIGUSR2 opens it.
import path from 'node:path';
import { isPortOpen } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';
import { REPO_ROOT } from './rundir.js';

/** The gate as the test bed holds it. */
export interface ReadinessGate {
  /** https://127.0.0.1:<port>: the URL every kubeconfig names. */
  url: string;
  port: number;
  process: ManagedProcess;
  /** Until the port refuses connections; established ones are left to the API server. */
  shut(): Promise<void>;
  /** Until the port accepts connections again; call once the API server behind answers /readyz. */
  open(): Promise<void>;
}

async function until(port: number, open: boolean, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await isPortOpen(port, 500)) !== open) {
    if (!proc.running) throw proc.startupError("the readiness gate exited");
    if (performance.now() > deadline) throw new Error(`the readiness gate on port ${port} did not ${open ? 'open' : 'shut'} in ${timeoutMs} ms (log: ${proc.logPath})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the gate process on `port` in front of `backendPort`; it listens once started (see waitListening). */
export async function spawnReadinessGate(options: { runDir: string; port: number; backendPort: number }): Promise<ReadinessGate & { waitListening(timeoutMs?: number): Promise<void> }> {
  const proc = await spawnManaged({
    name: 'readiness-gate',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(REPO_ROOT, 'local/testbed/readiness-gate-main.ts')],
    cwd: REPO_ROOT,
    runDir: options.runDir,
    env: { ...process.env, GATE_PORT: String(options.port), BACKEND_PORT: String(options.backendPort) },
    stopGraceMs: 2_000,
  });
  const { port } = options;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    process: proc,
    waitListening: (timeoutMs = 60_000) => until(port, true, proc, timeoutMs),
    shut: async () => {
      process.kill(proc.pid, 'SIGUSR1');
      await until(port, false, proc, 10_000);
    },
    open: async () => {
      process.kill(proc.pid, 'SIGUSR2');
      await until(port, true, proc, 30_000);
    },
  };
}
