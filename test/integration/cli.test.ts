// imctl against the local control plane (local/control-plane.ts): a real kube-apiserver, moto, the relay, the
// EventBridge rules and dispatcher, and the local Step Functions runtime running the eks-cf ASL with the real
// handlers. imctl runs in-process through its real clients (the same SDK calls it makes against AWS, endpoints
// from AWS_ENDPOINT_URL_SFN / AWS_ENDPOINT_URL), and once through its bin launcher as a separate process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateKeyPairCommand, EC2Client } from '@aws-sdk/client-ec2';
import { parse, stringify } from 'yaml';
import { realDeps } from '../../cli/clients.js';
import { run } from '../../cli/main.js';
import { awsClientConfig } from '../../core/aws/config.js';
import type { InstanceGroupChange } from '../../core/events/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { startControlPlane, type ControlPlane } from '../../local/control-plane.js';
import { demoEksCfManifest } from '../../local/demo.js';
import { kubectl } from '../../local/kubectl.js';

const NS = 'team-cli';
let cp: ControlPlane;

/** imctl in this process, with its real clients; returns the exit code and what it printed. */
async function imctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...args, '--kubeconfig', cp.kubeconfigPath], (cmd) => ({
    ...realDeps(cmd.options),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  }));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function getGroup(name: string): InstanceGroup {
  return JSON.parse(kubectl(cp.kubeconfigPath, ['get', 'instancegroup', name, '-n', NS, '-o', 'json'])) as InstanceGroup;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const stateOf = (name: string, generation = 1) => {
  const g = getGroup(name);
  return g.status?.observedGeneration === generation && ['Ready', 'Error'].includes(g.status.currentState ?? '') ? g.status.currentState : undefined;
};

/** The seeded sample under another name, with changes; kubectl apply; returns the stored object. */
function applySample(name: string, change: (spec: NonNullable<InstanceGroup['spec']['eks-cf']>) => void): InstanceGroup {
  const manifest = parse(demoEksCfManifest(cp.account!)) as InstanceGroup;
  manifest.metadata = { ...manifest.metadata, name, namespace: NS } as InstanceGroup['metadata'];
  change(manifest.spec['eks-cf']!);
  kubectl(cp.kubeconfigPath, ['apply', '-f', '-'], stringify(manifest));
  return getGroup(name);
}

const executionsOf = async (name: string) => {
  const { code, out } = await imctl('executions', `${NS}/${name}`, '-o', 'json');
  expect(code).toBe(0);
  return JSON.parse(out) as { name: string; status: string; generation: number; attempt: number; redriveCount: number; failedState?: string; error?: string; cause?: string; spec?: InstanceGroup['spec'] }[];
};

beforeAll(async () => {
  cp = await startControlPlane({ resyncPeriodMs: 3_600_000 });
  kubectl(cp.kubeconfigPath, ['create', 'namespace', NS]);
}, 240_000);

afterAll(async () => {
  await cp?.stop();
});

describe('imctl against the local control plane', () => {
  test('a failed execution is listed with its failed state, error, cause and console URL; status shows the Error', async () => {
    applySample('late-key', (spec) => (spec.configuration.keyPairName = 'late-key'));
    expect(await until('late-key to settle', () => stateOf('late-key'))).toBe('Error');

    const { code, out } = await imctl('executions', `${NS}/late-key`);
    expect(code).toBe(0);
    const [header, row] = out.split('\n');
    expect(header).toMatch(/^EXECUTION +OP +GEN +ATTEMPT +STATUS +STARTED +DURATION +FAILED STATE +ERROR$/);
    expect(row).toMatch(/^team-cli-late-key-[0-9a-f]{8}-g1-apply +apply +1 +1 +FAILED .* Check AWS References +MissingReferenceError$/);
    // The execution failed at the step itself (issue 14): its cause is that step's error.
    expect(out).toMatch(/cause: +.*keyPairName: key pair late-key does not exist in us-west-2/);
    expect(out).toMatch(/console: +https:\/\/us-west-2\.console\.aws\.amazon\.com\/states\/home\?region=us-west-2#\/v2\/executions\/details\/arn:aws:states:us-west-2:123456789012:execution:instance-manager-eks-cf-apply:team-cli-late-key-/);

    const status = await imctl('status', '-n', NS);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^late-key +eks-cf +Error +1 +1 +0 +team-cli-late-key-[0-9a-f]{8}-g1-apply +Failed +MissingReference$/m);
  });

  test('the bin launcher runs as its own process with the same answers (-o json)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['cli/bin/imctl.mjs', 'executions', `${NS}/late-key`, '-o', 'json', '--kubeconfig', cp.kubeconfigPath], {
      env: process.env,
      timeout: 60_000,
    });
    const [e] = JSON.parse(stdout) as { status: string; failedState: string; error: string; cause: string }[];
    expect(e).toMatchObject({ status: 'FAILED', failedState: 'Check AWS References', error: 'MissingReferenceError' });
    expect(e!.cause).toContain('key pair late-key does not exist');
  });

  test('reads a kubeconfig whose user runs an exec credential plugin (as aws eks update-kubeconfig writes), merged from a KUBECONFIG list, with --context', async () => {
    const admin = parse(readFileSync(cp.kubeconfigPath, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority': string } }[];
      users: { user: { token: string } }[];
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'imctl-exec-'));
    // The plugin: prints an ExecCredential, as `aws eks get-token` does, with the test bed's token.
    const plugin = (name: string, token: string) => {
      const file = path.join(dir, `${name}.mjs`);
      const credential = { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token } };
      writeFileSync(file, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
      return file;
    };
    const context = 'arn:aws:eks:us-west-2:123456789012:cluster/my-eks-cluster';
    const eks = path.join(dir, 'eks.kubeconfig');
    const user = (script: string) => ({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: [script], interactiveMode: 'Never' } });
    writeFileSync(
      eks,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: context, cluster: admin.clusters[0]!.cluster }],
        users: [
          { name: context, user: user(plugin('get-token', admin.users[0]!.user.token)) },
          { name: 'stale', user: user(plugin('stale-token', 'not-a-valid-token')) },
        ],
        contexts: [
          { name: context, context: { cluster: context, user: context, namespace: NS } },
          { name: 'stale', context: { cluster: context, user: 'stale', namespace: NS } },
        ],
      }),
    );
    // A first file that sets current-context elsewhere: --context picks the EKS one from the merged list.
    const other = path.join(dir, 'other.kubeconfig');
    writeFileSync(other, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } }], users: [{ name: 'nobody', user: { token: 'x' } }], contexts: [{ name: 'nowhere', context: { cluster: 'nowhere', user: 'nobody' } }], 'current-context': 'nowhere' }));

    const withKubeconfigList = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(args, (cmd) => ({ ...realDeps(cmd.options, { ...process.env, KUBECONFIG: [other, eks].join(path.delimiter) }), out: (t) => out.push(t), err: (t) => err.push(t) }));
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    try {
      const ok = await withKubeconfigList('status', '--context', context);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/^late-key +eks-cf +Error +1 +1 +0 /m);

      const refused = await withKubeconfigList('status', '--context', 'stale');
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^imctl: the API server at https:\/\/127\.0\.0\.1:\d+ \(context stale, kubeconfig .*\) rejected the credentials \(401\)\n  fix: the token from `.*stale-token\.mjs` was refused: check that its AWS identity/);

      const missing = await withKubeconfigList('status', '--context', 'nope');
      expect(missing.err).toMatch(/^imctl: kubeconfig .* has no context nope \(contexts: nowhere, arn:aws:eks:us-west-2:123456789012:cluster\/my-eks-cluster, stale\)\n  fix: check --context$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--stage finds the state machines through the deployed stack\'s outputs', async () => {
    const cloudformation = new CloudFormationClient(awsClientConfig());
    const outputs = Object.fromEntries(
      Object.entries(cp.stateMachineArns).map(([key, arn]) => [`${key.replace('/', '-').split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}StateMachineArn`, { Value: arn }]),
    );
    await cloudformation.send(
      new CreateStackCommand({
        StackName: 'instance-manager-cli',
        TemplateBody: JSON.stringify({
          Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'instance-manager-cli-stage' } } },
          Outputs: { ...outputs, EventArchiveName: { Value: 'instance-manager' } },
        }),
      }),
    );
    cloudformation.destroy();
    const { code, out } = await imctl('executions', `${NS}/late-key`, '--stage', 'cli', '-o', 'yaml');
    expect(code).toBe(0);
    expect(parse(out)).toEqual([expect.objectContaining({ status: 'FAILED', failedState: 'Check AWS References', stateMachineArn: cp.stateMachineArns['eks-cf/apply'] })]);
  });

  test('a replay after the cause is fixed ends in Ready', async () => {
    const ec2 = new EC2Client(awsClientConfig());
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'late-key' }));
    ec2.destroy();
    const { code, out } = await imctl('replay', `${NS}/late-key`, '--wait', '--timeout', '2m');
    // The execution stopped at the step that failed (issue 14), so the replay redrives it from there.
    expect(out).toMatch(/^Redrove team-cli-late-key-[0-9a-f]{8}-g1-apply for team-cli\/late-key\.\n  why: +generation 1 is unchanged: redriving .* from the step it stopped in \("Check AWS References"\)/);
    // Live progress: the states entered after the redrive, the last one before the result.
    expect(out).toMatch(/Waiting for it to end; states as they are entered:\n  \[\d+s\] [^\n]+\n/);
    expect(out).toMatch(/^  \[\d+s\] Check AWS References$/m);
    expect(out).toMatch(/^  \[\d+s\] Ready\nResult: SUCCEEDED$/m);
    expect(out).toMatch(/Result: SUCCEEDED$/);
    expect(code).toBe(0);

    const group = getGroup('late-key');
    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 1, lastExecution: { attempt: 1, result: 'Succeeded' } });
    expect((await executionsOf('late-key')).map((e) => [e.attempt, e.status, e.redriveCount])).toEqual([[1, 'SUCCEEDED', 1]]);
    // Nothing left to replay.
    const again = await imctl('replay', `${NS}/late-key`);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/^Not replaying team-cli\/late-key\.\n  why: +the latest execution, .*-g1-apply, ended SUCCEEDED/);
  });

  test('an execution stopped half-way with the generation unchanged is redriven, and ends in Ready', async () => {
    let stopped: string | undefined;
    const unsubscribe = cp.stepFunctions.onExecutionChange((e) => {
      if (!stopped && e.status === 'RUNNING' && e.name.startsWith(`${NS}-stopped-`)) {
        stopped = e.executionArn;
        void cp.stepFunctions.stopExecution({ executionArn: e.executionArn, error: 'Operator.Stopped', cause: 'stopped by the test' });
      }
    });
    try {
      applySample('stopped', () => {});
      const arn = await until('the execution to start', () => stopped);
      expect((await cp.stepFunctions.waitForExecution(arn)).status).toBe('ABORTED');
    } finally {
      unsubscribe();
    }
    const [aborted] = await executionsOf('stopped');
    expect(aborted).toMatchObject({ status: 'ABORTED', generation: 1, attempt: 1, error: 'Operator.Stopped' });
    const { code, out } = await imctl('replay', `${NS}/stopped`, '--wait', '--timeout', '2m');
    expect(out).toMatch(/^Redrove team-cli-stopped-[0-9a-f]{8}-g1-apply for team-cli\/stopped\.\n  why: +generation 1 is unchanged: redriving/);
    // Progress shows the redriven run only: outside the wait loops (which repeat by design), no state is listed twice.
    const WAIT_LOOPS = /^(Is The Stack Ready\?|Wait For CloudFormation|Check Stack Progress|Check Nodes|Have The Nodes Joined\?|Wait For Nodes To Join)$/;
    const states = [...out.matchAll(/^  \[\d+s\] (.+)$/gm)].map((m) => m[1]!).filter((state) => !WAIT_LOOPS.test(state));
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states).size).toBe(states.length);
    expect(out).toMatch(/Result: SUCCEEDED$/);
    expect(code).toBe(0);
    const [redriven, ...others] = await executionsOf('stopped');
    expect(others).toEqual([]);
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', attempt: 1, redriveCount: 1 });
    expect(getGroup('stopped').status?.currentState).toBe('Ready');
  });

  test('a replay of an execution for an old generation starts the newest generation and never applies the old spec', async () => {
    applySample('old-gen', (spec) => {
      spec.configuration.keyPairName = 'never-created';
      spec.maxSize = 3;
    });
    expect(await until('old-gen to fail', () => stateOf('old-gen'))).toBe('Error');
    // The relay would send generation 2 at once; without it (stopped, or the event lost) only a replay runs it.
    await cp.relay.stop();
    const changed = applySample('old-gen', (spec) => {
      spec.configuration.keyPairName = cp.account!.keyPairName;
      spec.maxSize = 5;
    });
    expect(changed.metadata.generation).toBe(2);

    const { code, out } = await imctl('replay', `${NS}/old-gen`, '--wait', '--timeout', '2m');
    expect(out).toMatch(/^Started team-cli-old-gen-[0-9a-f]{8}-g2-apply for team-cli\/old-gen\.\n  why: +team-cli-old-gen-[0-9a-f]{8}-g1-apply was for generation 1; the object is now at generation 2, so a redrive would apply an older spec/);
    expect(out).toMatch(/generation: +2 \(attempt 1\)/);
    expect(out).toMatch(/Result: SUCCEEDED$/);
    expect(code).toBe(0);

    const [fresh, old] = await executionsOf('old-gen');
    expect(fresh).toMatchObject({ generation: 2, attempt: 1, status: 'SUCCEEDED' });
    expect(fresh!.spec!['eks-cf']!.maxSize).toBe(5);
    expect(old).toMatchObject({ generation: 1, status: 'FAILED', redriveCount: 0 });
    expect(old!.spec!['eks-cf']!.maxSize).toBe(3);

    const status = getGroup('old-gen').status!;
    expect(status).toMatchObject({ currentState: 'Ready', observedGeneration: 2, currentMax: 5 });
    const autoscaling = new AutoScalingClient(awsClientConfig());
    const asg = (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [status.activeScalingGroupName!] }))).AutoScalingGroups![0]!;
    autoscaling.destroy();
    expect(asg.MaxSize).toBe(5);
  });

  test('replay --since replays the archive through the rules; no execution starts twice', async () => {
    const count = async () => {
      let n = 0;
      for (const name of ['late-key', 'stopped', 'old-gen']) n += (await executionsOf(name)).length;
      return n;
    };
    const executionsBefore = await count();
    const received = cp.dispatcher.stats.received;

    const { code, out } = await imctl('replay', '--since', '1h', '--wait', '--timeout', '1m');
    expect(out).toMatch(/^Replaying archive instance-manager onto bus instance-manager: events from .* to .*\.\n  replay: +imctl-\d{8}T\d{6}Z-[0-9a-f]{4}\n  state: +COMPLETED/);
    expect(code).toBe(0);
    await until('the replayed events to reach the dispatcher', () => (cp.dispatcher.stats.received > received ? true : undefined), 30_000);
    await cp.dispatcher.drained({ timeoutMs: 30_000 });
    await cp.stepFunctions.waitForIdle({ timeoutMs: 30_000 });
    expect(await count()).toBe(executionsBefore);
  });

  test('errors name the fix: no kubeconfig, unknown group, Step Functions unreachable', async () => {
    const errors: string[] = [];
    const noKube = await run(['status'], (cmd) => ({ ...realDeps(cmd.options, { ...process.env, KUBECONFIG: '', HOME: '/nonexistent' }), err: (t) => errors.push(t) }));
    expect(noKube).toBe(1);
    expect(errors.join('\n')).toBe(
      'imctl: no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist\n  fix: set KUBECONFIG or pass --kubeconfig (locally, `npm start` prints the kubeconfig path)',
    );

    const missing = await imctl('replay', `${NS}/nobody`);
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^Not replaying team-cli\/nobody\.\n  why: +InstanceGroup team-cli\/nobody does not exist/);

    const saved = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = 'http://127.0.0.1:9';
    try {
      const down = await imctl('executions', `${NS}/late-key`);
      expect(down.code).toBe(1);
      expect(down.err).toMatch(/^imctl: cannot reach Step Functions at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)\n  fix: check the endpoint \(AWS_ENDPOINT_URL_SFN or AWS_ENDPOINT_URL\); locally, is `npm start` running\?$/);
    } finally {
      process.env.AWS_ENDPOINT_URL_SFN = saved;
    }
  });
});
