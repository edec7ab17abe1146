// Relay replicas as separate processes (in-cluster-relay/main.ts, configured through its environment as in a Pod), so
// that a fault can freeze the leader with SIGSTOP (not a graceful stop: it neither releases the Lease nor finishes its
// work), let a standby take the Lease over, and then kill the frozen one with SIGKILL, as a node failure or an
// eviction after a hang would. A replacement replica is started after each kill, so the fleet keeps its size.
// The processes belong to the test bed's run dir: its watchdog kills them if this process dies.
import path from 'node:path';
import type { KubeRest } from '../../core/kube/rest.js';
import { spawnManaged, type ManagedProcess } from '../testbed/process.js';
import { REPO_ROOT } from '../../core/workflows/bindings.js';

export interface RelayFleetOptions {
  runDir: string;
  /** The admin client, to read the Lease. */
  rest: KubeRest;
  /** The relay's environment (EVENT_BUS_NAME, CLUSTER_NAME, KUBECONFIG, AWS_*...): POD_NAME is set per replica. */
  env: Record<string, string>;
  size?: number;
  leaseNamespace?: string;
  leaseName?: string;
}

export interface FreezeAndKill {
  frozen: string;
  /** When SIGSTOP was sent (ISO time, to read against the replicas' logs). */
  stoppedAt: string;
  /** The replica holding the Lease after the takeover. */
  successor: string;
  /** From SIGSTOP to another replica holding the Lease. */
  takeoverMs: number;
}

export interface RelayFleet {
  /** The identity holding the Lease, if any. */
  leader(): Promise<string | undefined>;
  /** Waits until one of the replicas holds the Lease. */
  waitForLeader(timeoutMs: number): Promise<string>;
  /** SIGSTOP to the leader; once another replica holds the Lease (or `timeoutMs` passed), SIGKILL; then a replacement. */
  freezeThenKillLeader(timeoutMs: number): Promise<FreezeAndKill>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function startRelayFleet(options: RelayFleetOptions): Promise<RelayFleet> {
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${options.leaseNamespace ?? 'instance-manager'}/leases/${options.leaseName ?? 'instance-manager-relay'}`;
  const replicas = new Map<string, ManagedProcess>();
  let next = 0;
  const spawnReplica = async () => {
    const identity = `relay-${next++}`;
    const proc = await spawnManaged({
      name: identity,
      command: process.execPath,
      args: ['--import', 'tsx', path.join(REPO_ROOT, 'in-cluster-relay/main.ts')],
      cwd: REPO_ROOT,
      runDir: options.runDir,
      env: { ...process.env, ...options.env, POD_NAME: identity } as NodeJS.ProcessEnv,
    });
    replicas.set(identity, proc);
    return identity;
  };
  for (let i = 0; i < (options.size ?? 2); i++) await spawnReplica();

  const leader = async () => {
    try {
      const lease = await options.rest.get<{ spec?: { holderIdentity?: string } }>(leasePath);
      return lease.spec?.holderIdentity || undefined;
    } catch {
      return undefined; // no Lease yet, or the API server is away
    }
  };
  const waitForLeader = async (timeoutMs: number, not?: string) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const holder = await leader();
      if (holder && holder !== not && replicas.has(holder) && replicas.get(holder)!.running) return holder;
      if (performance.now() > deadline) throw new Error(`no relay replica took the Lease within ${timeoutMs} ms (holder: ${holder ?? 'none'})`);
      await sleep(200);
    }
  };

  return {
    leader,
    waitForLeader: (timeoutMs) => waitForLeader(timeoutMs),
    async freezeThenKillLeader(timeoutMs) {
      const frozen = await waitForLeader(timeoutMs);
      const proc = replicas.get(frozen)!;
      const t = performance.now();
      const stoppedAt = new Date().toISOString();
      signalGroup(proc.pid, 'SIGSTOP');
      let successor: string;
      try {
        successor = await waitForLeader(timeoutMs, frozen);
      } finally {
        signalGroup(proc.pid, 'SIGKILL');
        await proc.stop(1000);
        replicas.delete(frozen);
      }
      const takeoverMs = Math.round(performance.now() - t);
      await spawnReplica();
      return { frozen, stoppedAt, successor, takeoverMs };
    },
    async stop() {
      await Promise.all([...replicas.values()].map((p) => p.stop()));
      replicas.clear();
    },
  };
}
