import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { kubectl, kubectlOk } from '../support/kubectl.js';

// Drives `npm start`'s own code path (local/start.ts) as a person would: start it, watch the samples reach Ready,
// apply a group of one's own, press Ctrl-C, and check that nothing is left running.

const ROOT = new URL('../..', import.meta.url).pathname;
let child: ChildProcess;
let output = '';

function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = output.match(pattern);
      if (match) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(match);
      }
    };
    const timer = setInterval(check, 100);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${pattern} in npm start's output within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    check();
  });
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

afterAll(() => {
  // Only if the test failed half-way: the group may already be gone.
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left to kill
  }
});

test('npm start: the samples reach Ready, a user group reaches Ready, Ctrl-C leaves nothing behind', async () => {
  // Its own process group, so that Ctrl-C can be delivered as a terminal does: to the whole foreground group.
  child = spawn('npm', ['start'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));

  const [, kubeconfig] = await waitForOutput(/kubeconfig\s+(\S+admin\.kubeconfig)/, 120_000);
  await waitForOutput(/2 of 2 sample groups are Ready\./, 120_000);
  expect(output).toContain('swapped for the seeded');
  expect(output).toContain('the reference eks-fargate sample, exactly as written');
  expect(output).toMatch(/demo-eks-cf\/hello-world → Ready \(group \S+\)/);
  expect(output).not.toMatch(/^\{"time"/m);

  const [, subnets, securityGroup, image] = await waitForOutput(/has subnets (.+),\nsecurity group (\S+), image (\S+),/, 5_000);
  const runDir = path.dirname(path.dirname(kubeconfig!));
  const pids = readdirSync(path.join(runDir, 'pids')).map((f) => Number(readFileSync(path.join(runDir, 'pids', f), 'utf8').split(/\s/)[0]));
  expect(pids.filter(alive).length).toBeGreaterThanOrEqual(3);

  kubectlOk(kubeconfig!, ['create', 'namespace', 'mine']);
  const manifest = {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name: 'workers', namespace: 'mine' },
    spec: {
      provisioner: 'eks-cf',
      'eks-cf': {
        minSize: 2,
        maxSize: 4,
        configuration: { subnets: subnets!.split(', '), securityGroups: [securityGroup], image, instanceType: 'c5.xlarge' },
      },
    },
  };
  kubectlOk(kubeconfig!, ['apply', '-f', '-'], JSON.stringify(manifest));
  let state = '';
  for (let i = 0; i < 240 && state !== 'Ready'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    state = kubectl(kubeconfig!, ['get', 'ig', 'workers', '-n', 'mine', '-o', 'jsonpath={.status.currentState}']).stdout;
    if (state === 'Error') break;
  }
  const described = kubectl(kubeconfig!, ['get', 'ig', 'workers', '-n', 'mine', '-o', 'jsonpath={.status.conditions}']).stdout;
  expect({ state, described }).toEqual({ state: 'Ready', described: expect.any(String) });
  const row = kubectlOk(kubeconfig!, ['get', 'ig', 'workers', '-n', 'mine', '--no-headers']).trim().split(/\s+/);
  expect(row.slice(0, 4)).toEqual(['workers', 'Ready', '2', '4']);

  process.kill(-child.pid!, 'SIGINT');
  // npm itself ends on the signal, as in a terminal; the control plane underneath shuts down and says so.
  await waitForOutput(/stopped; nothing left running\./, 30_000);
  await new Promise((r) => setTimeout(r, 1000));
  expect(pids.filter(alive)).toEqual([]);
});
