// kwok for the test bed: stands in for the kubelets of every registered Node. It registers no Node itself;
// whatever registers one (local/instances/, as a booting instance would) gets it kept Ready (status heartbeats and
// a lease in kube-node-lease) and the pods bound to it moved to Running. It runs the Stage documents of its own
// module (copied by build-binaries.sh), the same defaults kwokctl uses.
import { freePort, retryOnPortClash } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';
import { waitUntilReady } from './ready.js';

export interface Kwok {
  /** Its own server (health, metrics), not a kubelet endpoint. */
  url: string;
  process: ManagedProcess;
}

export function startKwok(opts: { bin: string; stagesFile: string; kubeconfig: string; runDir: string; timeoutMs?: number }): Promise<Kwok> {
  return retryOnPortClash(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = await spawnManaged({
      name: 'kwok',
      command: opts.bin,
      runDir: opts.runDir,
      stopGraceMs: 1000,
      args: [
        `--kubeconfig=${opts.kubeconfig}`,
        `--config=${opts.stagesFile}`,
        // Every Node of the test bed is an emulated one, so kwok is the kubelet of all of them.
        '--manage-all-nodes=true',
        `--server-address=127.0.0.1:${port}`,
        '--node-lease-duration-seconds=40',
        // Pod IPs; a /16 so that a few hundred pods never run out.
        '--cidr=10.244.0.0/16',
      ],
    });
    try {
      await waitUntilReady(proc, { url: `${url}/healthz`, timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 100 });
    } catch (err) {
      await proc.stop(1000);
      throw err;
    }
    return { url, process: proc };
  });
}
