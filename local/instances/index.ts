// Stand-in for EC2 instances booting into an EKS cluster (emulation; see docs/emulation.md). It polls moto for the
// running instances of Auto Scaling groups, boots each once as its image would (boot.ts), registers its Node through
// the real API server as the node, and, like the cloud controller on EKS, deletes the Node of an instance that
// terminated or disappeared. Every instance keeps a boot console (<consoleDir>/<instance-id>.log).
import type { Logger } from '../../core/log/index.js';
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { KubeApiError, KubeRest } from '../../core/kube/rest.js';
import type { ClientCa } from '../testbed/pki.js';
import { AwsFacts, type AwsEndpoint, type InstanceSummary } from './aws-facts.js';
import { BootError, NotAuthorised, bootAgent, kubeletRegister, type BootContext, type BootState, type ClusterTarget } from './boot.js';
import { BootConsole } from './boot-console.js';
import { instanceIdOf } from './node-object.js';

export type { BootPhase, BootState } from './boot.js';

export interface InstanceBootOptions {
  aws: AwsEndpoint;
  /** Cluster name (as DescribeCluster knows it) → the API server that stands for it in this test bed. */
  clusters: Record<string, { adminKubeconfig: string; clientCa: ClientCa }>;
  consoleDir: string;
  /** How often moto is asked for instances (default 1000 ms). */
  pollIntervalMs?: number;
  logger?: Logger;
}

export interface InstanceBoots {
  /** Every instance seen so far, with its phase and, when it has not joined, the reason. */
  instances(): BootState[];
  instance(instanceId: string): BootState | undefined;
  /** The instance's boot console text. */
  console(instanceId: string): string;
  /** Resolves when a full poll (boots, retries, Node clean-up) that started after this call has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);

export function startInstanceBoots(options: InstanceBootOptions): InstanceBoots {
  const facts = new AwsFacts(options.aws);
  const log = options.logger;
  const clusters: Record<string, ClusterTarget> = Object.fromEntries(
    Object.entries(options.clusters).map(([name, c]) => [name, { admin: new KubeRest(connectionFromKubeconfig(c.adminKubeconfig)), clientCa: c.clientCa }]),
  );
  const states = new Map<string, BootState>();
  const consoles = new Map<string, BootConsole>();
  const inFlight = new Map<string, Promise<void>>();
  const consoleOf = (id: string) => consoles.get(id) ?? consoles.set(id, new BootConsole(options.consoleDir, id)).get(id)!;

  const fail = (state: BootState, phase: 'failed' | 'waiting', reason: string) => {
    const changed = state.reason !== reason || state.phase !== phase;
    state.phase = phase;
    state.reason = reason;
    consoleOf(state.instanceId).printOnce(`[${phase === 'failed' ? 'boot' : 'kubelet'}] ${phase === 'failed' ? 'FAILED' : 'retrying'}: ${reason}`);
    if (changed) log?.[phase === 'failed' ? 'warn' : 'info']('instance not joined', { instanceId: state.instanceId, group: state.groupName, phase, reason });
  };

  const register = async (instance: InstanceSummary, state: BootState, ctx: BootContext) => {
    try {
      await kubeletRegister(instance, state, ctx);
      state.phase = 'joined';
      delete state.reason;
      state.joinedAt = Date.now();
      log?.info('instance joined', { instanceId: state.instanceId, group: state.groupName, node: state.nodeName, joinMs: state.joinedAt - state.bootedAt });
    } catch (error) {
      if (error instanceof NotAuthorised) return fail(state, 'waiting', error.message);
      if (error instanceof KubeApiError && error.code === 403) return fail(state, 'failed', `the API server refused the Node: ${error.message}`);
      fail(state, 'waiting', (error as Error).message);
    }
  };

  const boot = async (instance: InstanceSummary, state: BootState) => {
    const ctx: BootContext = { facts, clusters, console: consoleOf(instance.instanceId), region: options.aws.region };
    try {
      await bootAgent(instance, state, ctx);
    } catch (error) {
      return fail(state, 'failed', error instanceof BootError ? error.message : `boot agent error: ${(error as Error).message}`);
    }
    await register(instance, state, ctx);
  };

  /** Once per instance, and again while its kubelet waits; never two at once for one instance. */
  const advance = (instance: InstanceSummary) => {
    if (inFlight.has(instance.instanceId)) return;
    let state = states.get(instance.instanceId);
    let work: Promise<void> | undefined;
    if (!state) {
      state = { instanceId: instance.instanceId, ...(instance.groupName ? { groupName: instance.groupName } : {}), phase: 'booting', bootedAt: Date.now() };
      states.set(instance.instanceId, state);
      work = boot(instance, state);
    } else if (state.phase === 'waiting') {
      const ctx: BootContext = { facts, clusters, console: consoleOf(instance.instanceId), region: options.aws.region };
      work = register(instance, state, ctx);
    }
    if (work) inFlight.set(instance.instanceId, work.finally(() => inFlight.delete(instance.instanceId)));
  };

  /** The cloud controller's part: a Node whose instance terminated or no longer exists goes away. */
  const removeGoneNodes = async (byId: Map<string, InstanceSummary>) => {
    for (const [clusterName, target] of Object.entries(clusters)) {
      const { items } = await target.admin.get<{ items: { metadata: { name: string }; spec?: { providerID?: string } }[] }>('/api/v1/nodes');
      for (const node of items) {
        const id = instanceIdOf(node.spec?.providerID);
        if (!id) continue;
        const instance = byId.get(id);
        if (instance && LIVE.has(instance.state)) continue;
        await target.admin.request('DELETE', `/api/v1/nodes/${node.metadata.name}`).catch((error: unknown) => {
          if (!(error instanceof KubeApiError && error.code === 404)) throw error;
        });
        consoleOf(id).print(`[cloud-controller] instance ${instance ? instance.state : 'no longer exists'}: deleted Node ${node.metadata.name}`);
        log?.info('node deleted', { cluster: clusterName, node: node.metadata.name, instanceId: id, instanceState: instance?.state ?? 'gone' });
      }
    }
    for (const state of states.values()) {
      const instance = byId.get(state.instanceId);
      if (!instance || !LIVE.has(instance.state)) state.phase = 'gone';
    }
  };

  const tick = async () => {
    const all = await facts.instances();
    const byId = new Map(all.map((i) => [i.instanceId, i]));
    for (const instance of all) if (instance.groupName && instance.state === 'running') advance(instance);
    await Promise.all(inFlight.values());
    await removeGoneNodes(byId);
  };

  let stopped = false;
  let running: Promise<void> | undefined;
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  let listeners: { after: number; resolve: () => void }[] = [];
  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void runTick(), ms);
  };
  const runTick = async () => {
    const n = ++started;
    running = tick().catch((error: unknown) => log?.warn('instance poll failed', { error: (error as Error).message }));
    await running;
    running = undefined;
    const done = listeners.filter((l) => l.after <= n);
    listeners = listeners.filter((l) => l.after > n);
    for (const l of done) l.resolve();
    schedule(listeners.length ? 0 : (options.pollIntervalMs ?? 1000));
  };
  schedule(0);

  return {
    instances: () => [...states.values()].map((s) => ({ ...s })),
    instance: (id) => {
      const s = states.get(id);
      return s && { ...s };
    },
    console: (id) => consoleOf(id).text(),
    settled: () => {
      if (stopped) return Promise.resolve();
      return new Promise<void>((resolve) => {
        // A poll in progress started before this call: wait for the next one, and start it now if none runs.
        listeners.push({ after: started + 1, resolve });
        if (!running) schedule(0);
      });
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await Promise.all(inFlight.values());
      for (const l of listeners) l.resolve();
      listeners = [];
      for (const t of Object.values(clusters)) t.admin.close();
      facts.destroy();
    },
  };
}
