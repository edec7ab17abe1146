// The soak's faults outside the Lambda steps, all seeded:
//   - AWS: a fault proxy in front of moto and one in front of the local Step Functions runtime (throttling, 5xx,
//     hang-then-drop, drop-after; local/faults/aws-proxy.ts);
//   - kube-apiserver restarts, at operations drawn from the seed, each down for a drawn 1–4 s;
//   - the relay's leader frozen (SIGSTOP) and, once a standby holds the Lease, killed (SIGKILL): the relay then runs
//     as two processes instead of in-process (local/faults/relay-fleet.ts);
//   - real 409s: a concurrent writer on the groups being worked on and on aws-auth (local/faults/conflicts.ts).
import type { ControlPlane, ControlPlaneOptions } from '../../../local/control-plane.js';
import { BUS_NAME, LOCAL_CLUSTER_NAME } from '../../../local/control-plane.js';
import type { KubeRest } from '../../../core/kube/rest.js';
import { startAwsFaultProxy, type AwsFaultKind, type AwsFaultProxy } from '../../../local/faults/aws-proxy.js';
import { startConflictWriter, type ConflictWriter } from '../../../local/faults/conflicts.js';
import { startRelayFleet, type FreezeAndKill, type RelayFleet } from '../../../local/faults/relay-fleet.js';
import { rng } from './plan.js';

export interface DisruptionOptions {
  seed: number;
  ops: number;
  /** Chance that an AWS call is faulted while faults are on. */
  awsFaultProbability: number;
  apiserverRestarts: number;
  relayFreezes: number;
  /** Interval of the concurrent writer that causes real 409s; 0 turns it off. */
  conflictIntervalMs: number;
  namespace: string;
  say: (line: string) => void;
}

export interface Disruptions {
  routeAws: NonNullable<ControlPlaneOptions['routeAws']>;
  /** Once the control plane runs: turns the proxies on, swaps in the relay processes, starts the conflict writer. */
  begin(cp: ControlPlane, rest: KubeRest, recentGroups: () => string[]): Promise<void>;
  /** Runs the disruptions scheduled before operation `index` (a freeze-and-kill goes on while operations continue). */
  atOperation(index: number): Promise<void>;
  /** Stops injecting; waits for a freeze-and-kill under way. */
  end(): Promise<void>;
  counts(): Record<string, number>;
  /** performance.now() of the end of the last disruption. */
  lastAt(): number;
  takeovers: FreezeAndKill[];
  /** The relay runs as processes (no in-process relay to resync). */
  relayProcesses: boolean;
  close(): Promise<void>;
}

const GROUPS_PATH = '/apis/instancemgr.keikoproj.io/v1alpha1/namespaces';
const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

/** `count` distinct operation indices in [1, ops), drawn from the seed. */
function schedule(random: () => number, ops: number, count: number): Set<number> {
  const at = new Set<number>();
  const n = Math.min(count, Math.max(0, ops - 1));
  while (at.size < n) at.add(1 + Math.floor(random() * (ops - 1)));
  return at;
}

export function disruptions(o: DisruptionOptions): Disruptions {
  const random = rng(o.seed ^ 0xd15);
  const restartAt = schedule(random, o.ops, o.apiserverRestarts);
  const freezeAt = schedule(random, o.ops, o.relayFreezes);
  const proxies = new Map<'aws' | 'sfn', AwsFaultProxy>();
  const takeovers: FreezeAndKill[] = [];
  const pending: Promise<void>[] = [];
  const counts: Record<string, number> = { 'apiserver-restart': 0, 'relay-freeze-kill': 0 };
  let last = 0;
  let cp: ControlPlane | undefined;
  let fleet: RelayFleet | undefined;
  let writer: ConflictWriter | undefined;

  return {
    relayProcesses: o.relayFreezes > 0,
    takeovers,
    routeAws: async (upstream, emulator) => {
      const proxy = await startAwsFaultProxy({
        upstream,
        seed: o.seed ^ (emulator === 'moto' ? 0xa75 : 0x5f5),
        probability: o.awsFaultProbability,
        hangMs: 2_000,
        onFault: () => (last = performance.now()),
      });
      proxies.set(emulator === 'moto' ? 'aws' : 'sfn', proxy);
      return proxy.url;
    },
    async begin(controlPlane, rest, recentGroups) {
      cp = controlPlane;
      if (o.relayFreezes > 0) {
        await cp.relay.stop(); // graceful: it releases the Lease, and the replicas take it over
        fleet = await startRelayFleet({
          runDir: cp.testBed.runDir,
          rest,
          env: {
            EVENT_BUS_NAME: BUS_NAME,
            CLUSTER_NAME: LOCAL_CLUSTER_NAME,
            AWS_REGION: process.env.AWS_REGION ?? 'us-west-2',
            AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL!,
            KUBECONFIG: cp.testBed.kube!.kubeconfigFor('relay'),
            RESYNC_PERIOD: '2s',
            HEALTH_PORT: '0',
            LEASE_DURATION: '4s',
            LEASE_RENEW_DEADLINE: '3s',
            LEASE_RETRY_PERIOD: '500ms',
            LOG_LEVEL: 'info',
          },
        });
        o.say(`soak: relay replicas running as processes; leader ${await fleet.waitForLeader(60_000)}`);
      }
      if (o.conflictIntervalMs > 0) {
        const groupPath = (name: string) => `${GROUPS_PATH}/${o.namespace}/instancegroups/${name}`;
        writer = startConflictWriter({
          rest,
          intervalMs: o.conflictIntervalMs,
          random: rng(o.seed ^ 0xc0f),
          targets: () => [...recentGroups().map(groupPath), AWS_AUTH_PATH],
        });
      }
      for (const proxy of proxies.values()) proxy.activate();
    },
    async atOperation(index) {
      if (restartAt.has(index) && cp) {
        const downMs = 1_000 + Math.floor(random() * 3_000);
        o.say(`soak: restarting kube-apiserver before operation ${index + 1} (down ${downMs} ms)`);
        await cp.testBed.kube!.restartApiserver(downMs);
        counts['apiserver-restart']!++;
        last = performance.now();
      }
      if (freezeAt.has(index) && fleet) {
        const running = fleet;
        pending.push(
          running.freezeThenKillLeader(60_000).then(
            (t) => {
              o.say(`soak: relay leader ${t.frozen} frozen (SIGSTOP at ${t.stoppedAt}) then killed; ${t.successor} took over in ${t.takeoverMs} ms`);
              takeovers.push(t);
              counts['relay-freeze-kill']!++;
              last = performance.now();
            },
            (error: Error) => {
              // No standby took over: the report shows it and the run is not clean.
              o.say(`soak: relay freeze before operation ${index + 1} failed: ${error.message}`);
              takeovers.push({ frozen: '?', stoppedAt: '', successor: '', takeoverMs: -1 });
              last = performance.now();
            },
          ),
        );
      }
    },
    async end() {
      await Promise.all(pending);
      for (const proxy of proxies.values()) proxy.deactivate();
      await writer?.stop();
      last = Math.max(last, writer?.lastAt() ?? 0);
    },
    counts() {
      const out: Record<string, number> = { ...counts };
      for (const [where, proxy] of proxies) {
        for (const [kind, n] of Object.entries(proxy.counts) as [AwsFaultKind, number][]) out[`${where}-${kind}`] = (out[`${where}-${kind}`] ?? 0) + n;
      }
      for (const [kind, n] of Object.entries(writer?.writes ?? {})) out[`conflicting-write-${kind}`] = n;
      return out;
    },
    lastAt: () => last,
    async close() {
      await writer?.stop();
      await fleet?.stop();
      for (const proxy of proxies.values()) await proxy.close();
    },
  };
}
