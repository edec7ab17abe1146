// kube-controller-manager and kube-scheduler for the test bed. Both are started the same way: a kubeconfig for their
// own identity (also used to authenticate and authorise callers of their /healthz), loopback serving with a
// self-signed certificate written to their cert dir, no leader election. Ready when /healthz answers.
import path from 'node:path';
import { freePort, retryOnPortClash } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';
import { waitUntilReady } from './ready.js';

export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const SCHEDULER_USER = 'system:kube-scheduler';

/**
 * ReplicaSets and Deployments create pods, the disruption controller keeps PodDisruptionBudget status (the Eviction
 * API reads it), the garbage collector and namespace controller clean up, service accounts get made, and the node
 * lifecycle controller lifts the not-ready taint the API server puts on a new Node once it is Ready (and taints a
 * Node whose heartbeats stop).
 */
export const DEFAULT_CONTROLLERS = [
  'replicaset', 'deployment', 'disruption', 'garbagecollector', 'namespace', 'serviceaccount', 'serviceaccount-token', 'nodelifecycle',
];

export interface KubeComponent {
  url: string;
  process: ManagedProcess;
}

function startKubeComponent(opts: { name: string; bin: string; runDir: string; kubeconfig: string; args: string[]; timeoutMs?: number }): Promise<KubeComponent> {
  const certDir = path.join(opts.runDir, opts.name);
  return retryOnPortClash(async () => {
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const proc = await spawnManaged({
      name: opts.name,
      command: opts.bin,
      runDir: opts.runDir,
      stopGraceMs: 2000,
      args: [
        `--kubeconfig=${opts.kubeconfig}`,
        `--authentication-kubeconfig=${opts.kubeconfig}`,
        `--authorization-kubeconfig=${opts.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
        '--leader-elect=false',
        ...opts.args,
      ],
    });
    try {
      await waitUntilReady(proc, { url: `${url}/healthz`, caFile: path.join(certDir, `${opts.name}.crt`), timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 100 });
    } catch (err) {
      await proc.stop(1000);
      throw err;
    }
    return { url, process: proc };
  });
}

/** Each controller runs as its own ServiceAccount (--use-service-account-credentials), as kubeadm and EKS do. */
export function startControllerManager(opts: {
  bin: string;
  runDir: string;
  kubeconfig: string;
  /** Signs the tokens of the controllers' ServiceAccounts (the API server's --service-account-signing-key-file). */
  saKeyFile: string;
  /** What pods are told to trust for the API server. */
  rootCaFile: string;
  controllers?: string[];
}): Promise<KubeComponent> {
  return startKubeComponent({
    name: 'kube-controller-manager',
    bin: opts.bin,
    runDir: opts.runDir,
    kubeconfig: opts.kubeconfig,
    args: [
      `--controllers=${(opts.controllers ?? DEFAULT_CONTROLLERS).join(',')}`,
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${opts.saKeyFile}`,
      `--root-ca-file=${opts.rootCaFile}`,
      '--cluster-name=testbed',
    ],
  });
}

/** Binds pending pods to Nodes (kwok then runs them). */
export function startScheduler(opts: { bin: string; runDir: string; kubeconfig: string }): Promise<KubeComponent> {
  return startKubeComponent({ name: 'kube-scheduler', bin: opts.bin, runDir: opts.runDir, kubeconfig: opts.kubeconfig, args: [] });
}
