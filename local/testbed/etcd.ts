// etcd for the test bed: loopback only, data under the run dir, no fsync. Ready when GET /health says true.
import path from 'node:path';
import { freePorts, retryOnPortClash } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';
import { waitUntilReady } from './ready.js';

export interface Etcd {
  url: string;
  dataDir: string;
  process: ManagedProcess;
}

export function startEtcd(opts: { bin: string; runDir: string; timeoutMs?: number }): Promise<Etcd> {
  return retryOnPortClash(async () => {
    const [clientPort, peerPort] = await freePorts(2);
    const url = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const dataDir = path.join(opts.runDir, 'etcd-data');
    const proc = await spawnManaged({
      name: 'etcd',
      command: opts.bin,
      runDir: opts.runDir,
      // A graceful etcd stop takes ~2 s; its data is disposable (no fsync, removed on stop), so don't wait long.
      stopGraceMs: 500,
      args: [
        '--name', 'testbed',
        '--data-dir', dataDir,
        '--listen-client-urls', url,
        '--advertise-client-urls', url,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `testbed=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level', 'warn',
      ],
    });
    try {
      await waitUntilReady(proc, {
        url: `${url}/health`,
        body: (t) => /"health"\s*:\s*"true"/.test(t),
        timeoutMs: opts.timeoutMs ?? 20_000,
        intervalMs: 50,
      });
    } catch (err) {
      await proc.stop(1000);
      throw err;
    }
    return { url, dataDir, process: proc };
  });
}
