// Restarts the test bed's kube-apiserver in place: same binary, flags, port and serving cert, same etcd (so the
// objects survive). The restarted process is registered with the test bed's process registry, so the bed's
// stop() and its watchdog clean it up like the original.
import fs from 'node:fs';
import { parse } from 'yaml';
import { isGroupAlive, spawnManaged, type ManagedProcess } from '../../../local/testbed/process.js';
import { waitUntilReady } from '../../../local/testbed/ready.js';
import type { TestBed } from '../../../local/testbed/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ApiserverControl {
  /** Stops the apiserver (SIGTERM, then SIGKILL), waits downMs, starts it again and waits for /readyz. */
  restart(downMs?: number): Promise<void>;
  /** Stops what restart() started (call before bed.stop()). */
  dispose(): Promise<void>;
}

export function apiserverControl(bed: TestBed): ApiserverControl {
  const original = bed.processes.find((p) => p.name === 'kube-apiserver');
  if (!original || !bed.kube) throw new Error('the test bed has no kube-apiserver');
  const kube = bed.kube;
  const argv = fs.readFileSync(`/proc/${original.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const [command, ...args] = argv as [string, ...string[]];
  const adminToken = (parse(fs.readFileSync(kube.kubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] }).users[0]!.user.token;
  let currentPid = original.pid;
  let current: ManagedProcess | undefined;
  let restarts = 0;

  async function stopCurrent(): Promise<void> {
    if (current) {
      await current.stop(3000);
      current = undefined;
      return;
    }
    try {
      process.kill(-currentPid, 'SIGTERM');
    } catch {
      return;
    }
    // kube-apiserver waits for open watches before exiting; like a kubelet with a short grace period, kill it.
    const deadline = Date.now() + 3_000;
    while (isGroupAlive(currentPid)) {
      if (Date.now() > deadline) {
        try {
          process.kill(-currentPid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      await sleep(25);
    }
  }

  return {
    async restart(downMs = 0) {
      await stopCurrent();
      await sleep(downMs);
      restarts++;
      current = await spawnManaged({ name: `kube-apiserver-restart${restarts}`, command, args, runDir: bed.runDir });
      currentPid = current.pid;
      await waitUntilReady(current, {
        url: `${kube.url}/readyz`,
        headers: { Authorization: `Bearer ${adminToken}` },
        caFile: kube.caPath,
        timeoutMs: 60_000,
        intervalMs: 100,
      });
    },
    async dispose() {
      if (current) await current.stop(5000);
      current = undefined;
    },
  };
}
