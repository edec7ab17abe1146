// moto (one server emulating every AWS service) for the test bed. Ready when GET /moto-api/ answers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpRequest, waitUntilReady } from './ready.js';
import { freePort, retryOnPortClash } from './ports.js';
import { spawnManaged, type ManagedProcess } from './process.js';

const MOTO_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'moto-server.py');

export interface Moto {
  url: string;
  process: ManagedProcess;
}

export function startMoto(opts: { runDir: string; python?: string; timeoutMs?: number }): Promise<Moto> {
  return retryOnPortClash(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = await spawnManaged({
      name: 'moto',
      command: opts.python ?? process.env.IM_PYTHON ?? 'python3',
      // moto's own server, with EKS tags on node groups and Fargate profiles emulated (see the script's header).
      args: [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)],
      runDir: opts.runDir,
      // AWS's managed policies exist in every real account; moto loads them only when asked.
      env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    });
    try {
      await waitUntilReady(proc, { url: `${url}/moto-api/`, timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 50 });
    } catch (err) {
      await proc.stop(1000);
      throw err;
    }
    return { url, process: proc };
  });
}

/** Clears all of moto's state (every service, every region). */
export async function resetMoto(url: string): Promise<void> {
  const res = await httpRequest(`${url.replace(/\/$/, '')}/moto-api/reset`, { method: 'POST', timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`moto reset failed: HTTP ${res.status} ${res.body.slice(0, 200)}`);
}
