// The local test bed: a real kube-apiserver + etcd and moto on loopback, used through kubectl and the aws CLI
// as a person would, and nothing left running afterwards.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { isPortOpen } from '../../local/testbed/ports.js';
import { isAlive, liveProcesses, reapLeftovers } from '../../local/testbed/process.js';
import { REPO_ROOT, runsRoot } from '../../local/testbed/rundir.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const portOf = (url: string) => Number(new URL(url).port);

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('test bed: kube-apiserver, etcd and moto on loopback', () => {
  let bed: TestBed;
  let kubectl: (identity: string, ...args: string[]) => Promise<Ran>;

  beforeAll(async () => {
    bed = await startTestBed();
    kubectl = (identity, ...args) => run('kubectl', ['--kubeconfig', bed.kube!.kubeconfigFor(identity), ...args]);
  }, 180_000);

  afterAll(async () => {
    await bed?.stop();
  });

  test('starts all three, times each phase, and keeps its files in the run dir', () => {
    expect(bed.kube?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(bed.moto?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bed.runDir.startsWith(runsRoot())).toBe(true);
    expect(bed.kube!.kubeconfigPath).toBe(bed.kube!.kubeconfigFor('admin'));
    expect(bed.kube!.identities).toEqual(['admin', 'relay', 'workflows', 'node-access', 'team-member']);
    expect(() => bed.kube!.kubeconfigFor('nobody')).toThrow(/no identity "nobody"/);
    for (const p of bed.processes) expect(isAlive(p.pid)).toBe(true);
    expect(bed.processes.map((p) => p.name).sort()).toEqual(['etcd', 'kube-apiserver', 'moto', 'readiness-gate', 'watchdog']);
    const { etcdMs, motoMs, apiserverMs, totalMs } = bed.timings;
    for (const ms of [etcdMs, motoMs, apiserverMs]) expect(ms).toBeGreaterThan(0);
    expect(totalMs).toBeGreaterThanOrEqual(apiserverMs!);
  });

  test('kubectl with the admin kubeconfig (trusting the generated serving cert) sees /readyz ok', async () => {
    const r = await kubectl('admin', 'get', '--raw', '/readyz');
    expect(r).toMatchObject({ code: 0, stdout: 'ok' });
  });

  test('kubectl version reports the server as v1.36.3', async () => {
    const r = await kubectl('admin', 'version', '-o', 'json');
    expect(JSON.parse(r.stdout).serverVersion.gitVersion).toBe('v1.36.3');
  });

  test('the admin creates a ConfigMap and reads it back', async () => {
    const created = await kubectl('admin', 'create', 'configmap', 'testbed-check', '-n', 'default', '--from-literal=greeting=hello');
    expect(created.stderr).toBe('');
    const value = await kubectl('admin', 'get', 'configmap', 'testbed-check', '-n', 'default', '-o', 'jsonpath={.data.greeting}');
    expect(value.stdout).toBe('hello');
  });

  test('the relay identity is a ServiceAccount user and may not list secrets', async () => {
    const whoami = await kubectl('relay', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}');
    expect(whoami.stdout).toBe('system:serviceaccount:instance-manager:instance-manager-relay');
    const canI = await kubectl('relay', 'auth', 'can-i', 'list', 'secrets', '-n', 'default');
    expect(canI.stdout.trim()).toBe('no');
    const get = await kubectl('relay', 'get', 'secrets', '-n', 'default');
    expect(get.code).not.toBe(0);
    expect(get.stderr).toMatch(/Forbidden.*"system:serviceaccount:instance-manager:instance-manager-relay" cannot list resource "secrets"/);
  });

  test('RBAC bound to a ServiceAccount applies to the matching identity only', async () => {
    const manifest = path.join(bed.runDir, 'rbac-check.yaml');
    fs.writeFileSync(
      manifest,
      `apiVersion: v1
kind: Namespace
metadata: {name: instance-manager}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-configmaps, namespace: instance-manager}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: relay-reads-configmaps, namespace: instance-manager}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-configmaps}
subjects: [{kind: ServiceAccount, name: instance-manager-relay, namespace: instance-manager}]
`,
    );
    expect((await kubectl('admin', 'apply', '-f', manifest)).code).toBe(0);
    const [relay, workflows] = await Promise.all([
      kubectl('relay', 'auth', 'can-i', 'list', 'configmaps', '-n', 'instance-manager'),
      kubectl('workflows', 'auth', 'can-i', 'list', 'configmaps', '-n', 'instance-manager'),
    ]);
    expect(relay.stdout.trim()).toBe('yes');
    expect(workflows.stdout.trim()).toBe('no');
  });

  test('moto answers STS GetCallerIdentity through the aws CLI', async () => {
    const r = await run('aws', ['--endpoint-url', bed.moto!.url, 'sts', 'get-caller-identity', '--output', 'json'], {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Account: '123456789012', Arn: expect.stringContaining('arn:aws:') });
  });

  test('moto reset clears state', async () => {
    const sqs = new SQSClient({
      endpoint: bed.moto!.url,
      region: 'us-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: 'testbed-check' }));
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);
      await bed.moto!.reset();
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toHaveLength(0);
    } finally {
      sqs.destroy();
    }
  });

  test('stop() kills every process, closes the ports, keeps the logs and is idempotent', async () => {
    const ports = [portOf(bed.kube!.url), portOf(bed.moto!.url)];
    await Promise.all([bed.stop(), bed.stop()]);
    await bed.stop();
    for (const p of bed.processes) expect({ name: p.name, alive: isAlive(p.pid) }).toEqual({ name: p.name, alive: false });
    for (const port of ports) expect(await isPortOpen(port)).toBe(false);
    expect(liveProcesses(bed.runDir)).toEqual([]);
    expect(fs.readdirSync(path.join(bed.runDir, 'pids'))).toEqual([]);
    expect(fs.existsSync(path.join(bed.runDir, 'etcd-data'))).toBe(false);
    for (const p of bed.processes) expect(fs.existsSync(p.logPath)).toBe(true);
    expect(bed.timings.stopMs).toBeLessThan(10_000);
  });
});

describe('test bed: failures and leftovers', () => {
  test('a process that fails to start is reported with its log tail and path; nothing is left running', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-fake-'));
    const fake = path.join(dir, 'fake-etcd');
    fs.writeFileSync(fake, '#!/bin/sh\necho "fake etcd: refusing to start"\nexit 3\n', { mode: 0o755 });
    try {
      const started = startTestBed({ moto: false, binaries: { etcd: fake, kubeApiserver: fake } });
      const err: Error = await started.then(
        () => new Error('expected startTestBed to fail'),
        (e: Error) => e,
      );
      expect(err.message).toMatch(/etcd failed to start: exited \(code 3\)/);
      expect(err.message).toContain('fake etcd: refusing to start');
      expect(err.message).toMatch(/log: \/\S+\/etcd\.log/);
      expect(liveProcesses()).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // A private runs root, so that no other test bed on this machine reaps these runs before the test does.
  let logsRoot: string;
  beforeAll(() => {
    logsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-runs-'));
  });
  afterAll(() => {
    reapLeftovers(logsRoot);
    fs.rmSync(logsRoot, { recursive: true, force: true });
  });

  // Runs the CLI (moto only) in a separate node process and reads the pids it prints.
  async function startCli(): Promise<{ cliPid: number; pids: Record<string, number>; runDir: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/testbed/cli.ts', '--no-kube'], {
      cwd: REPO_ROOT,
      env: { ...process.env, IM_TESTBED_LOGS_DIR: logsRoot },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (/^ready in/m.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`cli exited (${code}) before ready:\n${out}\n${err}`)));
    });
    child.stdout.destroy();
    child.stderr.destroy();
    const pids = Object.fromEntries(
      out
        .match(/^pids: (.*)$/m)![1]!
        .split(' ')
        .map((kv) => kv.split('='))
        .map(([k, v]) => [k!, Number(v)]),
    );
    return { cliPid: child.pid!, pids, runDir: out.match(/^runDir: (.*)$/m)![1]! };
  }

  test('when the parent is SIGKILLed, its watchdog kills the children', async () => {
    const { cliPid, pids } = await startCli();
    expect(isAlive(pids.moto!)).toBe(true);
    process.kill(cliPid, 'SIGKILL');
    expect(await waitFor(() => !isAlive(pids.moto!) && !isAlive(pids.watchdog!), 5000)).toBe(true);
  });

  test('when parent and watchdog are both gone, the next run reaps the leftovers', async () => {
    const { cliPid, pids, runDir } = await startCli();
    process.kill(-pids.watchdog!, 'SIGKILL');
    process.kill(cliPid, 'SIGKILL');
    expect(await waitFor(() => !isAlive(cliPid), 5000)).toBe(true);
    expect(isAlive(pids.moto!)).toBe(true);
    expect(runDir.startsWith(logsRoot)).toBe(true);
    const reaped = reapLeftovers(logsRoot);
    expect(reaped).toContainEqual({ runDir, name: 'moto', pid: pids.moto });
    expect(await waitFor(() => !isAlive(pids.moto!), 5000)).toBe(true);
  });
});
