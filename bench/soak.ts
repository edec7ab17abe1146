// npm run soak [-- --seed 14 --ops 300 --groups 100 --fault-probability 0.03 --aws-fault-probability 0.03
//                 --apiserver-restarts 3 --relay-freezes 2 --conflict-interval 250 --fault-window 60 --converge-timeout 900]
//
// A bounded, seeded fault-injection soak on the local control plane (issue 14): random create, scale, no-op
// re-apply, delete and re-create under the same name over groups of all three provisioners, while AWS (a proxy in
// front of moto and the local Step Functions) throttles, fails with 5xx and drops connections, the API server
// restarts, the relay's leader is frozen and then killed, a concurrent writer causes real 409s on the status and on
// aws-auth (bench/lib/soak/disruptions.ts), and Lambda steps time out or give up on conflicts (bench/lib/soak/faults.ts).
// Then the faults stop and the run waits, with no one stepping in, until every group has converged, and audits the
// cluster against moto. Prints the operations, faults by kind, lost changes, leaked resources, duplicates, anything
// stuck Running, and the time to converge after the last fault; exits 1 unless all of those are zero.
import { parseArgs } from 'node:util';
import { InstanceGroupApi } from '../core/kube/instancegroups.js';
import { KubeRest } from '../core/kube/rest.js';
import { connectionFromKubeconfig } from '../core/kube/connection.js';
import { LOCAL_CLUSTER_NAME, localWorkflows, startControlPlane, type ControlPlane } from '../local/control-plane.js';
import { kubectl } from '../local/kubectl.js';
import { REFERENCE_CLUSTERS } from '../local/seed.js';
import { manifestFor } from './lib/manifests.js';
import { audit, type Audit } from './lib/soak/audit.js';
import { disruptions } from './lib/soak/disruptions.js';
import { faultInjector } from './lib/soak/faults.js';
import { expectedEnd, plan, rng, type Op } from './lib/soak/plan.js';
import path from 'node:path';

export interface SoakOptions {
  seed: number;
  ops: number;
  groups: number;
  /** Chance that a Lambda step times out or gives up on a conflict. */
  faultProbability: number;
  /** Chance that an AWS call is throttled, fails with 5xx or loses its connection. Default 0. */
  awsFaultProbability?: number;
  apiserverRestarts?: number;
  /** Leader freezes (SIGSTOP, then SIGKILL); any above 0 runs the relay as two processes. */
  relayFreezes?: number;
  /** Interval of the writer that causes real 409s; 0 (default) turns it off. */
  conflictIntervalMs?: number;
  /** How long faults go on after the last operation was sent, while the workflows it started run. */
  faultWindowMs: number;
  convergeTimeoutMs: number;
  progress?: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  operations: Record<string, number>;
  faults: Record<string, number>;
  converged: boolean;
  convergeSecondsAfterLastFault: number;
  /** kubectl commands of the run that failed for a moment and were run again (the first line of each error). */
  kubectlRetries: string[];
  /** Relay take-overs after a freeze: who was frozen, who took over, how long it took. */
  takeovers: { frozen: string; stoppedAt: string; successor: string; takeoverMs: number }[];
  audit: Audit;
}

const NAMESPACE = 'soak';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * kubectl as a person runs it: a command that fails for a moment is run again, for up to a minute, and the report
 * counts each retry. During an API server restart the endpoint refuses connections until /readyz passes. (The
 * admission policy's own refusals right after a restart, when it read its values as params, are gone: its values
 * are written into it, see docs/operations/security.md.)
 */
function kubectlPatiently(retries: string[]) {
  return async (kubeconfig: string, args: string[], input?: string): Promise<void> => {
    const deadline = performance.now() + 60_000;
    for (;;) {
      try {
        kubectl(kubeconfig, args, input);
        return;
      } catch (error) {
        if (performance.now() > deadline) throw error;
        retries.push((error as Error).message.split('\n')[0]!.slice(0, 300));
        await sleep(2_000);
      }
    }
  };
}

function manifest(op: Op, cp: ControlPlane, maxSize: Map<string, number>) {
  const ref = { namespace: NAMESPACE, name: op.group };
  const scenario = op.kind === 'noop' ? 'noop' : op.kind === 'scale' && op.provisioner === 'eks-fargate' && op.maxSize % 2 === 0 ? 'update' : 'create';
  const m = manifestFor(op.provisioner, scenario, cp.account!, ref);
  const size = op.kind === 'noop' ? (maxSize.get(op.group) ?? op.maxSize) : op.maxSize;
  maxSize.set(op.group, size);
  if (op.provisioner !== 'eks-fargate') (m.spec as unknown as Record<string, { maxSize: number }>)[op.provisioner]!.maxSize = size;
  return m;
}

async function goneOrTimeout(api: InstanceGroupApi, name: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await api.get({ namespace: NAMESPACE, name })) && performance.now() < deadline) await sleep(250);
}

async function converged(api: InstanceGroupApi, present: Map<string, Op>, deleted: Set<string>): Promise<boolean> {
  const { items } = await api.list(NAMESPACE);
  const live = new Map(items.map((g) => [g.metadata.name, g]));
  for (const group of deleted) if (live.has(group)) return false;
  for (const group of present.keys()) {
    const s = live.get(group)?.status;
    if (!s || s.currentState !== 'Ready' || s.observedGeneration !== live.get(group)!.metadata.generation) return false;
  }
  return true;
}

export async function soak(o: SoakOptions): Promise<SoakReport> {
  const say = o.progress ?? (() => {});
  const ops = plan(o);
  const faults = faultInjector({ seed: o.seed, probability: o.faultProbability, machines: localWorkflows().map((w) => ({ base: w.base, file: w.file })) });
  const outside = disruptions({
    seed: o.seed,
    ops: ops.length,
    awsFaultProbability: o.awsFaultProbability ?? 0,
    apiserverRestarts: o.apiserverRestarts ?? 0,
    relayFreezes: o.relayFreezes ?? 0,
    conflictIntervalMs: o.conflictIntervalMs ?? 0,
    namespace: NAMESPACE,
    say,
  });
  let cp: ControlPlane | undefined;
  let rest: KubeRest | undefined;
  try {
    cp = await startControlPlane({ resyncPeriodMs: 2_000, handlerOverrides: faults.overrides, routeAws: outside.routeAws, progress: say });
    rest = new KubeRest(connectionFromKubeconfig(cp.kubeconfigPath));
    const api = new InstanceGroupApi(rest);
    kubectl(cp.kubeconfigPath, ['create', 'namespace', NAMESPACE]);
    const recent: string[] = [];
    await outside.begin(cp, rest, () => recent);
    const pause = rng(o.seed ^ 0xa11);
    const maxSize = new Map<string, number>();
    const operations: Record<string, number> = {};
    const kubectlRetries: string[] = [];
    const run = kubectlPatiently(kubectlRetries);
    for (const op of ops) {
      await outside.atOperation(op.index);
      operations[op.kind] = (operations[op.kind] ?? 0) + 1;
      if (op.kind === 'delete') await run(cp.kubeconfigPath, ['delete', 'instancegroup', '-n', NAMESPACE, op.group, '--wait=false', '--ignore-not-found']);
      else {
        // Kubernetes re-creates a name only once the old object is gone: an apply to an object that is still being
        // deleted would change the old object, which then goes away. Wait for it, as a person would.
        if (op.kind === 'recreate') await goneOrTimeout(api, op.group, 180_000);
        await run(cp.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(manifest(op, cp, maxSize)));
      }
      recent.unshift(op.group);
      recent.length = Math.min(recent.length, 6);
      if (op.index % 25 === 0) say(`soak: operation ${op.index + 1}/${ops.length}, faults so far ${JSON.stringify({ ...faults.counts, ...outside.counts() })}`);
      await sleep(Math.floor(pause() * 200));
    }
    await sleep(o.faultWindowMs);
    faults.stop();
    await outside.end();
    const lastFault = Math.max(faults.lastAt(), outside.lastAt());
    const { present, deleted } = expectedEnd(ops);
    say(`soak: ${ops.length} operations sent; faults stopped; waiting for ${present.size} groups to converge and ${deleted.size} to be gone`);
    const deadline = performance.now() + o.convergeTimeoutMs;
    let done = false;
    while (!(done = await converged(api, present, deleted).catch(() => false)) && performance.now() < deadline) {
      // The relay processes resync by themselves (every 2 s); the in-process one is asked to.
      if (!outside.relayProcesses) await cp.relay.resyncNow();
      await sleep(1_000);
    }
    const convergeSecondsAfterLastFault = Math.round((performance.now() - (lastFault || performance.now())) / 100) / 10;
    await cp.executionEvents.idle();
    const controlPlane = cp;
    const result = await audit({
      api,
      namespace: NAMESPACE,
      present,
      deleted,
      clusters: { nodes: LOCAL_CLUSTER_NAME, fargate: REFERENCE_CLUSTERS[1]! },
      runningExecutions: async () => {
        const running: string[] = [];
        for (const stateMachineArn of Object.values(controlPlane.stateMachineArns)) {
          const out = await controlPlane.stepFunctions.listExecutions({ stateMachineArn, statusFilter: 'RUNNING' });
          running.push(...(out.executions ?? []).map((e) => e.executionArn ?? ''));
        }
        return running;
      },
    });
    return {
      seed: o.seed,
      operations,
      faults: { ...faults.counts, ...outside.counts() },
      converged: done,
      convergeSecondsAfterLastFault,
      kubectlRetries,
      takeovers: outside.takeovers,
      audit: result,
    };
  } finally {
    rest?.close();
    await cp?.stop();
    await outside.close();
  }
}

export function formatReport(r: SoakReport): string {
  const total = Object.values(r.operations).reduce((a, b) => a + b, 0);
  const lines = [
    `soak (seed ${r.seed})`,
    `  operations:      ${total} (${Object.entries(r.operations).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `  faults:          ${Object.entries(r.faults).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  converged:       ${r.converged ? 'yes' : 'NO'}, ${r.convergeSecondsAfterLastFault}s after the last fault`,
    `  kubectl retried: ${r.kubectlRetries.length}${r.kubectlRetries.length ? ` (${[...new Set(r.kubectlRetries)].join('; ')})` : ''}`,
    ...r.takeovers.map((t) => (t.successor ? `  relay take-over: ${t.frozen} frozen at ${t.stoppedAt}, ${t.successor} leading ${t.takeoverMs} ms later` : '  relay take-over: NONE (no standby took the Lease)')),
    `  lost changes:    ${r.audit.lost.length}`,
    `  leaked:          ${r.audit.leaked.length}`,
    `  duplicates:      ${r.audit.duplicates.length}`,
    `  stuck Running:   ${r.audit.stuckRunning.length}`,
  ];
  for (const [what, list] of Object.entries(r.audit)) for (const f of list as { group: string; problem: string }[]) lines.push(`    ${what}: ${f.group}: ${f.problem}`);
  return lines.join('\n');
}

export const clean = (r: SoakReport) => r.converged && r.takeovers.every((t) => t.successor !== '') && !r.audit.lost.length && !r.audit.leaked.length && !r.audit.duplicates.length && !r.audit.stuckRunning.length;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '14' },
      ops: { type: 'string', default: '300' },
      groups: { type: 'string', default: '100' },
      'fault-probability': { type: 'string', default: '0.03' },
      'aws-fault-probability': { type: 'string', default: '0.03' },
      'apiserver-restarts': { type: 'string', default: '3' },
      'relay-freezes': { type: 'string', default: '2' },
      'conflict-interval': { type: 'string', default: '250' },
      'fault-window': { type: 'string', default: '60' },
      'converge-timeout': { type: 'string', default: '900' },
    },
  });
  const report = await soak({
    seed: Number(values.seed),
    ops: Number(values.ops),
    groups: Number(values.groups),
    faultProbability: Number(values['fault-probability']),
    awsFaultProbability: Number(values['aws-fault-probability']),
    apiserverRestarts: Number(values['apiserver-restarts']),
    relayFreezes: Number(values['relay-freezes']),
    conflictIntervalMs: Number(values['conflict-interval']),
    faultWindowMs: Number(values['fault-window']) * 1000,
    convergeTimeoutMs: Number(values['converge-timeout']) * 1000,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatReport(report));
  console.log(JSON.stringify(report));
  process.exit(clean(report) ? 0 : 1);
}
