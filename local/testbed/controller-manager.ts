// kube-controller-manager for the test bed, trimmed to the controllers that make workloads behave as in a real
// cluster: ReplicaSets and Deployments create pods, the disruption controller keeps PodDisruptionBudget status (the
// Eviction API reads it), the garbage collector and namespace controller clean up, and service accounts get made.
// Each controller runs as its own ServiceAccount (--use-service-account-credentials), as kubeadm and EKS do, so the
// bootstrap RBAC roles of the API server apply. Ready when its /healthz answers.
import path from 'node:path';
import { freePort, retryOnPortClash } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';
import { waitUntilReady } from './ready.js';

export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';

export const DEFAULT_CONTROLLERS = ['replicaset', 'deployment', 'disruption', 'garbagecollector', 'namespace', 'serviceaccount', 'serviceaccount-token'];

export interface ControllerManager {
  url: string;
  process: ManagedProcess;
}

export function startControllerManager(opts: {
  bin: string;
  runDir: string;
  kubeconfig: string;
  /** Signs the tokens of the controllers' ServiceAccounts (the API server's --service-account-signing-key-file). */
  saKeyFile: string;
  /** What pods are told to trust for the API server. */
  rootCaFile: string;
  controllers?: string[];
  timeoutMs?: number;
}): Promise<ControllerManager> {
  const certDir = path.join(opts.runDir, 'kube-controller-manager');
  return retryOnPortClash(async () => {
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const proc = await spawnManaged({
      name: 'kube-controller-manager',
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
        `--controllers=${(opts.controllers ?? DEFAULT_CONTROLLERS).join(',')}`,
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${opts.saKeyFile}`,
        `--root-ca-file=${opts.rootCaFile}`,
        '--leader-elect=false',
        '--cluster-name=testbed',
      ],
    });
    try {
      await waitUntilReady(proc, {
        url: `${url}/healthz`,
        caFile: path.join(certDir, 'kube-controller-manager.crt'),
        timeoutMs: opts.timeoutMs ?? 60_000,
        intervalMs: 100,
      });
    } catch (err) {
      await proc.stop(1000);
      throw err;
    }
    return { url, process: proc };
  });
}
