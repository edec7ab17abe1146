import { jest } from '@jest/globals';
import type { Deps } from '../../../cli/clients.js';
import { CliError, explain } from '../../../cli/errors.js';
import { formatDuration, table } from '../../../cli/format.js';
import { run } from '../../../cli/main.js';
import { replayName } from '../../../cli/commands/replay-archive.js';
import { renderStatus, statusRow } from '../../../cli/commands/status.js';
import type { InstanceGroupChange } from '../../../core/events/index.js';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { realDeps } from '../../../cli/clients.js';
import { admissionManifest, defaultPolicyObject, DEFAULT_POLICY, RENDER_COMMAND, withDefaults } from '../../../core/policy/index.js';
import { FakeCloudFormation, FakeEvents, FakeSfn, abortedIn, caughtFailure, execution, fakeDeps, group } from './fakes.js';

const imctl = (line: string, deps: Deps) => run(line.split(' ').filter(Boolean), () => deps);

describe('table rendering', () => {
  test('columns are aligned with three spaces, the last column is not padded', () => {
    expect(table(['NAME', 'STATE'], [['a', 'Ready'], ['longer-name', 'Error']])).toBe('NAME          STATE\na             Ready\nlonger-name   Error');
  });

  test('durations', () => {
    expect([formatDuration(4_000), formatDuration(125_000), formatDuration(3_720_000), formatDuration(98_000_000), formatDuration(undefined)]).toEqual([
      '4s',
      '2m05s',
      '1h02m',
      '1d03h',
      '-',
    ]);
  });
});

describe('imctl status', () => {
  const ready = group({
    name: 'web',
    generation: 3,
    status: {
      currentState: 'Ready',
      observedGeneration: 2,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled' }],
      lastExecution: { name: 'team-a-web-1a2b3c4d-g2-apply', result: 'Succeeded', generation: 2 },
    },
  });
  const fresh = group({ name: 'new', namespace: 'team-b' });

  test('a row per group: state, generation, observed generation and lag, last execution and result, Ready reason', () => {
    expect(statusRow(ready)).toMatchObject({ state: 'Ready', generation: 3, observedGeneration: 2, lag: 1, readyReason: 'Reconciled', lastExecution: { result: 'Succeeded' } });
    expect(statusRow(fresh)).toMatchObject({ state: 'Pending', generation: 1, lag: 1 });
    expect(renderStatus([statusRow(ready)], false)).toBe(
      [
        'NAME   PROVISIONER   STATE   GEN   OBSERVED   LAG   LAST EXECUTION                 RESULT      REASON',
        'web    eks-cf        Ready   3     2          1     team-a-web-1a2b3c4d-g2-apply   Succeeded   Reconciled',
      ].join('\n'),
    );
  });

  test('-A adds the namespace column and lists every namespace; -n lists one', async () => {
    const all = fakeDeps({ groups: [fresh, ready] });
    expect(await imctl('status -A', all.deps)).toBe(0);
    expect(all.stdout().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['NAMESPACE NAME', 'team-a web', 'team-b new']);

    const one = fakeDeps({ groups: [fresh, ready] });
    expect(await imctl('status -n team-b', one.deps)).toBe(0);
    expect(one.stdout()).toMatch(/^NAME +PROVISIONER/);
    expect(one.stdout()).toContain('new');
    expect(one.stdout()).not.toContain('web');
  });

  test('-o json prints the rows for scripts', async () => {
    const { deps, stdout } = fakeDeps({ groups: [ready] });
    expect(await imctl('status -o json', deps)).toBe(0);
    expect(JSON.parse(stdout())).toEqual([expect.objectContaining({ namespace: 'team-a', name: 'web', lag: 1, readyReason: 'Reconciled' })]);
  });

  test('an empty namespace says so', async () => {
    const { deps, stdout } = fakeDeps({ groups: [] });
    expect(await imctl('status', deps)).toBe(0);
    expect(stdout()).toBe('No InstanceGroups found in namespace team-a.');
  });
});

describe('imctl executions', () => {
  const g = group({ generation: 2 });
  const other = group({ uid: 'uid-of-a-previous-object' });
  const failed = execution(g, 1, 'FAILED', {
    events: caughtFailure('Check AWS References', 'MissingReferenceError', 'key pair late does not exist'),
    error: 'MissingReferenceError',
    cause: 'Check AWS References failed: key pair late does not exist',
  });
  const ok = execution(g, 2, 'SUCCEEDED');
  const notOurs = execution(other, 1, 'FAILED', { events: [] });

  test('lists the group’s executions newest first, with the failed state, error, cause and console URL', async () => {
    const sfn = new FakeSfn(undefined, [failed, ok, notOurs]);
    const { deps, stdout } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('executions team-a/hello-world', deps)).toBe(0);
    const text = stdout();
    const rows = text.split('\n\n')[0]!.split('\n');
    expect(rows[0]).toMatch(/^EXECUTION +OP +GEN +ATTEMPT +STATUS +STARTED +DURATION +FAILED STATE +ERROR$/);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(new RegExp(`^${ok.name} +apply +2 +1 +SUCCEEDED`));
    expect(rows[2]).toMatch(new RegExp(`^${failed.name} +apply +1 +1 +FAILED .* 1m05s +Check AWS References +MissingReferenceError$`));
    expect(text).toContain('cause:         Check AWS References failed: key pair late does not exist');
    expect(text).toContain(`console:       https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/arn:aws:states:us-west-2:123456789012:execution:instance-manager-eks-cf-apply:${failed.name}`);
    expect(notOurs.name).not.toBe(failed.name);
    expect(text).not.toContain(notOurs.name);
    // Only the group's provisioner's machines are read, and only the matching executions described.
    expect(sfn.calls.filter((c) => c.op === 'ListExecutions').map((c) => c.input.stateMachineArn)).toEqual([
      'arn:aws:states:us-west-2:123456789012:stateMachine:instance-manager-eks-cf-apply',
      'arn:aws:states:us-west-2:123456789012:stateMachine:instance-manager-eks-cf-delete',
    ]);
    expect(sfn.calls.filter((c) => c.op === 'DescribeExecution')).toHaveLength(2);
  });

  test('-o json carries the details and the spec each execution ran with', async () => {
    const { deps, stdout } = fakeDeps({ groups: [g], sfn: new FakeSfn(undefined, [failed]) });
    expect(await imctl('executions team-a/hello-world -o json', deps)).toBe(0);
    const [e] = JSON.parse(stdout()) as Record<string, unknown>[];
    expect(e).toMatchObject({ name: failed.name, status: 'FAILED', failedState: 'Check AWS References', error: 'MissingReferenceError', generation: 1, group: { uid: 'uid-1' } });
    expect((e!.spec as InstanceGroupChange['spec'])['eks-cf']!.maxSize).toBe(101);
  });

  test('a deleted group: executions that named it, found through their input', async () => {
    const { deps, stdout, stderr } = fakeDeps({ groups: [], sfn: new FakeSfn(undefined, [failed]) });
    expect(await imctl('executions team-a/hello-world', deps)).toBe(0);
    expect(stderr()).toMatch(/does not exist \(any more\)/);
    expect(stdout()).toContain(failed.name);
  });

  test('no state machines with the prefix: says which names it looked for and how to fix it', async () => {
    const { deps, stderr } = fakeDeps({ groups: [g], sfn: new FakeSfn(['something-else'], []) });
    expect(await imctl('executions team-a/hello-world', deps)).toBe(1);
    expect(stderr()).toMatch(
      /^imctl: no state machine named instance-manager-eks-cf-apply or instance-manager-eks-cf-delete \(found workflows: none\)\n  fix: check the region and the Step Functions endpoint/,
    );
  });
});

describe('imctl replay <group>', () => {
  test('a caught failure of the current generation: a new attempt, built from the current object', async () => {
    const g = group({ generation: 1 });
    const failed = execution(g, 1, 'FAILED', { events: caughtFailure('Check AWS References', 'MissingReferenceError', 'x'), error: 'MissingReferenceError' });
    const sfn = new FakeSfn(undefined, [failed]);
    const { deps, stdout } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('replay team-a/hello-world', deps)).toBe(0);
    const start = sfn.calls.find((c) => c.op === 'StartExecution')!;
    expect(start.input.stateMachineArn).toBe('arn:aws:states:us-west-2:123456789012:stateMachine:instance-manager-eks-cf-apply');
    expect(start.input.name).toMatch(/^team-a-hello-world-[0-9a-f]{8}-g1-apply-a2$/);
    const change = JSON.parse(String(start.input.input)) as InstanceGroupChange;
    expect(change).toMatchObject({ attempt: 2, group: { generation: 1, uid: 'uid-1', resourceVersion: '42' }, cluster: failed.change.cluster });
    expect(change.spec).toEqual(g.spec);
    expect(sfn.calls.some((c) => c.op === 'RedriveExecution')).toBe(false);
    expect(stdout()).toMatch(new RegExp(`^Started ${start.input.name} for team-a/hello-world\\.\\n  why: .*caught the failure in "Check AWS References"`));
    expect(stdout()).toContain(`replaces:    ${failed.name}`);
  });

  test('an aborted execution of the current generation is redriven', async () => {
    const g = group({ generation: 1 });
    const aborted = execution(g, 1, 'ABORTED', { events: abortedIn('Create Or Update Stack') });
    const sfn = new FakeSfn(undefined, [aborted]);
    const { deps, stdout } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('replay team-a/hello-world', deps)).toBe(0);
    expect(sfn.calls.filter((c) => c.op === 'RedriveExecution').map((c) => c.input.executionArn)).toEqual([expect.stringContaining(aborted.name)]);
    expect(sfn.calls.some((c) => c.op === 'StartExecution')).toBe(false);
    expect(stdout()).toMatch(/^Redrove .*\n  why: +generation 1 is unchanged: redriving .* from the step it stopped in \("Create Or Update Stack"\)/);
  });

  test('a failure of an older generation: a fresh execution of the newest generation with the newest spec, never the old one', async () => {
    const g = group({ generation: 3 });
    g.spec['eks-cf']!.maxSize = 9;
    const old = execution(g, 2, 'ABORTED', { events: abortedIn('Create Or Update Stack') });
    const sfn = new FakeSfn(undefined, [old]);
    const { deps } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('replay team-a/hello-world --wait', deps)).toBe(0);
    expect(sfn.calls.some((c) => c.op === 'RedriveExecution')).toBe(false);
    const change = JSON.parse(String(sfn.calls.find((c) => c.op === 'StartExecution')!.input.input)) as InstanceGroupChange;
    expect(change.group.generation).toBe(3);
    expect(change.attempt).toBe(1);
    expect(change.spec['eks-cf']!.maxSize).toBe(9);
    expect(old.change.spec['eks-cf']!.maxSize).toBe(102);
  });

  test('--dry-run says what it would do and calls nothing that changes state', async () => {
    const g = group();
    const sfn = new FakeSfn(undefined, [execution(g, 1, 'FAILED', { events: caughtFailure('X', 'E', 'c') })]);
    const { deps, stdout } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('replay team-a/hello-world --dry-run', deps)).toBe(0);
    expect(stdout()).toMatch(/^Would start team-a-hello-world-[0-9a-f]{8}-g1-apply-a2/);
    expect(sfn.calls.map((c) => c.op).filter((op) => !/^(List|Describe|Get)/.test(op))).toEqual([]);
  });

  test('refuses (exit 1) while an execution runs, and says why; -o json gives the decision', async () => {
    const g = group();
    const { deps, stdout } = fakeDeps({ groups: [g], sfn: new FakeSfn(undefined, [execution(g, 1, 'RUNNING', { events: [] })]) });
    expect(await imctl('replay team-a/hello-world -o json', deps)).toBe(1);
    expect(JSON.parse(stdout())).toMatchObject({ action: 'refuse', reason: expect.stringMatching(/still running/) });
  });

  test('--wait follows the execution and exits 1 when it fails', async () => {
    const g = group();
    const sfn = new FakeSfn(undefined, [execution(g, 1, 'FAILED', { events: caughtFailure('X', 'E', 'c') })]);
    const send = sfn.send.bind(sfn);
    jest.spyOn(sfn, 'send').mockImplementation(async (command: unknown) => {
      const out = await send(command);
      if ((command as object).constructor.name === 'StartExecutionCommand') {
        const e = sfn.executions.at(-1)!;
        Object.assign(e, { status: 'FAILED', error: 'StillBroken', cause: 'no', events: caughtFailure('Y', 'StillBroken', 'no') });
      }
      return out;
    });
    const { deps, stdout } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('replay team-a/hello-world --wait', deps)).toBe(1);
    // Progress: every state as it is entered, then the result.
    expect(stdout()).toMatch(/Waiting for it to end; states as they are entered:\n  \[0s\] Start\n  \[0s\] Read Instance Group\n  \[0s\] Y\n(  \[0s\] .*\n)*Result: FAILED\n  failed state: +Y\n  error: +StillBroken/);
  });

  test('--wait on a redriven execution reports only the states entered after the redrive; -o yaml keeps stdout parseable', async () => {
    const g = group();
    const sfn = new FakeSfn(undefined, [execution(g, 1, 'ABORTED', { redrivable: true, events: abortedIn('Wait For Stack') })]);
    const send = sfn.send.bind(sfn);
    jest.spyOn(sfn, 'send').mockImplementation(async (command: unknown) => {
      const out = await send(command);
      if ((command as object).constructor.name === 'RedriveExecutionCommand') {
        const e = sfn.executions.at(-1)!;
        e.events = [
          ...(e.events ?? []),
          { id: 100, type: 'ExecutionRedriven' as never, timestamp: new Date() },
          { id: 101, type: 'TaskStateEntered' as never, timestamp: new Date(), stateEnteredEventDetails: { name: 'Wait For Stack' } },
          { id: 102, type: 'SucceedStateEntered' as never, timestamp: new Date(), stateEnteredEventDetails: { name: 'Done' } },
        ];
      }
      return out;
    });
    const { deps, stdout, stderr } = fakeDeps({ groups: [g], sfn });
    expect(await imctl('replay team-a/hello-world --wait -o yaml', deps)).toBe(0);
    expect(stderr().split('\n')).toEqual(['  [0s] Wait For Stack', '  [0s] Done']);
    expect(parse(stdout())).toMatchObject({ action: 'redrive', result: { status: 'SUCCEEDED' } });
  });
});

describe('imctl with --stage: the deployed stack says where things are', () => {
  const stack = {
    'instance-manager-prod': {
      EksCfApplyStateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:instance-manager-prod-eks-cf-apply',
      EksCfDeleteStateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:instance-manager-prod-eks-cf-delete',
      EventArchiveName: 'instance-manager-prod-changes',
    },
  };

  test('executions come from the state machines the stack outputs name, without listing state machines', async () => {
    const g = group();
    const sfn = new FakeSfn(['instance-manager-prod-eks-cf-apply'], [execution(g, 1, 'FAILED', { machine: 'instance-manager-prod-eks-cf-apply', events: caughtFailure('X', 'E', 'c') })]);
    const { deps, stdout } = fakeDeps({ groups: [g], sfn, cloudformation: new FakeCloudFormation(stack) });
    expect(await imctl('executions team-a/hello-world --stage prod -o json', deps)).toBe(0);
    expect(JSON.parse(stdout())).toHaveLength(1);
    expect(sfn.calls.map((c) => c.op)).not.toContain('ListStateMachines');
  });

  test('replay --since uses the stack\'s archive, instance-manager-<stage>-changes', async () => {
    const events = new FakeEvents();
    const send = events.send.bind(events);
    const described: unknown[] = [];
    jest.spyOn(events, 'send').mockImplementation(async (command: unknown) => {
      const input = (command as { input: { ArchiveName?: string } }).input;
      if ((command as object).constructor.name === 'DescribeArchiveCommand') {
        described.push(input.ArchiveName);
        return { ArchiveName: input.ArchiveName, ArchiveArn: 'arn:aws:events:us-west-2:123456789012:archive/x', EventSourceArn: 'arn:aws:events:us-west-2:123456789012:event-bus/instance-manager' };
      }
      return send(command);
    });
    const { deps } = fakeDeps({ events, cloudformation: new FakeCloudFormation(stack) });
    expect(await imctl('replay --since 1h --stage prod', deps)).toBe(0);
    expect(described).toEqual(['instance-manager-prod-changes']);
  });

  test('a stage with no stack names the stack and the flags to check', async () => {
    const { deps, stderr } = fakeDeps({ cloudformation: new FakeCloudFormation(stack) });
    expect(await imctl('replay --since 1h --stage test --region eu-west-1', deps)).toBe(1);
    expect(stderr()).toBe('imctl: no stack instance-manager-test in eu-west-1: --stage test names no deployment there\n  fix: check --stage and --region (aws cloudformation list-stacks shows the deployed stacks)');
  });

  test('without --stage, the one archive an installation created is found; several need --stage', async () => {
    const { deps, stderr } = fakeDeps({ events: new FakeEvents(undefined, ['instance-manager-prod-changes', 'instance-manager-test-changes']) });
    expect(await imctl('replay --since 1h', deps)).toBe(1);
    expect(stderr()).toBe('imctl: several instance-manager archives in this region: instance-manager-prod-changes, instance-manager-test-changes\n  fix: name the deployment with --stage <stage>, or pass --archive');
  });
});

describe('help, version and completion', () => {
  const captured = async (args: string[]) => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await run(args);
      return { code, out: write.mock.calls.map((c) => String(c[0])).join('') };
    } finally {
      write.mockRestore();
    }
  };

  test('each command has its own help page', async () => {
    const replay = await captured(['replay', '--help']);
    expect(replay.code).toBe(0);
    expect(replay.out).toMatch(/^imctl replay <namespace>\/<name>: /);
    expect(replay.out).toContain('--since <time>');
    expect((await captured(['help', 'status'])).out).toMatch(/^imctl status \[-n <namespace> \| -A\]/);
    expect((await captured(['--help'])).out).toMatch(/^imctl: inspect and replay/);
    expect((await captured(['--help'])).out).toContain('imctl policy render [-f <file>]');
    const policy = await captured(['policy', 'render', '--help']);
    expect(policy.out).toMatch(/^imctl policy render \[-f <file> \| --from-cluster\]: /);
    expect(policy.out).toContain(RENDER_COMMAND);
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await captured(['--version'])).toEqual({ code: 0, out: `imctl ${version}\n` });
    expect((await captured(['version'])).out).toBe(`imctl ${version}\n`);
  });

  test('completion scripts for bash, zsh and fish complete commands, flags and output formats', async () => {
    const bash = await captured(['completion', 'bash']);
    expect(bash.out).toContain('complete -F _imctl imctl');
    expect(bash.out).toContain('compgen -W "table json yaml"');
    expect(bash.out).toContain('if [[ "$verb" == policy && $COMP_CWORD -eq 2 ]]; then COMPREPLY=( $(compgen -W "render" -- "$cur") )');
    expect((await captured(['completion', 'zsh'])).out).toMatch(/^autoload -U \+X bashcompinit && bashcompinit\n/);
    expect((await captured(['completion', 'fish'])).out).toContain("complete -c imctl -s o -l output -x -a 'table json yaml'");
  });
});

describe('imctl replay --since', () => {
  test('starts an EventBridge replay of the archive for the window onto its bus, optionally to some rules only', async () => {
    const events = new FakeEvents();
    const { deps, stdout } = fakeDeps({ events });
    expect(await imctl('replay --since 2026-11-27T09:00:00Z --until 2026-11-27T11:00:00Z --rule instance-manager-eks-cf-apply --wait', deps)).toBe(0);
    const start = events.calls.find((c) => c.op === 'StartReplay')!.input;
    expect(start).toMatchObject({
      EventSourceArn: 'arn:aws:events:us-west-2:123456789012:archive/instance-manager',
      EventStartTime: new Date('2026-11-27T09:00:00Z'),
      EventEndTime: new Date('2026-11-27T11:00:00Z'),
      Destination: {
        Arn: 'arn:aws:events:us-west-2:123456789012:event-bus/instance-manager',
        FilterArns: ['arn:aws:events:us-west-2:123456789012:rule/instance-manager/instance-manager-eks-cf-apply'],
      },
    });
    expect(start.ReplayName).toMatch(/^imctl-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(stdout()).toMatch(/^Replaying archive instance-manager onto bus instance-manager: events from 2026-11-27T09:00:00Z to 2026-11-27T11:00:00Z\./);
    expect(stdout()).toMatch(/state: +COMPLETED/);
  });

  test('an unknown archive names the flag and variable to set', async () => {
    const { deps, stderr } = fakeDeps({ events: new FakeEvents(), env: { IM_EVENT_ARCHIVE: 'nope' } });
    expect(await imctl('replay --since 1h', deps)).toBe(1);
    expect(stderr()).toBe('imctl: no EventBridge archive named nope\n  fix: pass --archive or set IM_EVENT_ARCHIVE (aws events list-archives shows them)');
  });

  test('replay names are unique and valid for EventBridge', () => {
    expect(replayName(new Date('2026-11-27T09:08:07.123Z'), 'abcd')).toBe('imctl-20261127T090807Z-abcd');
  });
});

describe('imctl policy render', () => {
  const repoFile = (relative: string) => readFileSync(new URL(`../../../${relative}`, import.meta.url), 'utf8');
  /** The object as `kubectl get instancemanagerpolicy default -o yaml` prints it: server fields, status. */
  const asKubectlPrints = (overrides: Parameters<typeof defaultPolicyObject>[0] = {}) => {
    const object = defaultPolicyObject(overrides);
    return { ...object, metadata: { ...object.metadata, resourceVersion: '812', uid: 'u-1', generation: 2, managedFields: [] }, status: {} };
  };
  const render = async (line: string, parts: Parameters<typeof fakeDeps>[0]) => {
    const { deps, stdout, stderr } = fakeDeps(parts);
    return { code: await imctl(line, deps), out: stdout(), err: stderr() };
  };

  test('prints, for the shipped default object, the admission policy infra/k8s/policy/admission.yaml carries', async () => {
    const fromFile = await render('policy render -f infra/k8s/policy/default-policy.yaml', { input: { 'infra/k8s/policy/default-policy.yaml': repoFile('infra/k8s/policy/default-policy.yaml') } });
    expect(fromFile).toEqual({ code: 0, out: admissionManifest(DEFAULT_POLICY).trimEnd(), err: '' });
    expect(repoFile('infra/k8s/policy/admission.yaml').endsWith(`\n${fromFile.out}\n`)).toBe(true);
    expect(parseAllDocuments(fromFile.out).map((d) => `${d.get('kind') as string}/${d.getIn(['metadata', 'name']) as string}`)).toEqual([
      'ValidatingAdmissionPolicy/instance-manager-installation-policy',
      'ValidatingAdmissionPolicyBinding/instance-manager-installation-policy',
      'ValidatingAdmissionPolicy/instance-manager-installation-policy-rendered',
      'ValidatingAdmissionPolicyBinding/instance-manager-installation-policy-rendered',
    ]);
  });

  test('reads stdin by default (or with -f -), YAML or JSON as kubectl prints the object, and renders its values', async () => {
    const widened = { allowedClusters: ['staging-*'], maxGroupSizeByNamespace: { batch: 500 } };
    const expected = admissionManifest(withDefaults(widened)).trimEnd();
    const yaml = await render('policy render', { input: { '-': stringify(asKubectlPrints(widened)) } });
    expect(yaml).toEqual({ code: 0, out: expected, err: '' });
    expect(yaml.out).toContain('"maxGroupSizeByNamespace": dyn({"batch": 500})');
    expect(await render('policy render -f -', { input: { '-': JSON.stringify(asKubectlPrints(widened), null, 2) } })).toEqual({ code: 0, out: expected, err: '' });
    // kubectl get instancemanagerpolicies -o yaml: a List; its "default" item is the object.
    const list = { apiVersion: 'v1', kind: 'List', items: [asKubectlPrints(widened)], metadata: { resourceVersion: '' } };
    expect(await render('policy render', { input: { '-': stringify(list) } })).toEqual({ code: 0, out: expected, err: '' });
  });

  test('--from-cluster renders the cluster\'s object', async () => {
    expect(await render('policy render --from-cluster', { policyObject: asKubectlPrints({ maxGroupSize: 7 }) })).toEqual({
      code: 0,
      out: admissionManifest(withDefaults({ maxGroupSize: 7 })).trimEnd(),
      err: '',
    });
  });

  test('refuses what it cannot render (exit 1, nothing on stdout), naming the field or the input and the fix', async () => {
    const refused = async (parts: Parameters<typeof fakeDeps>[0], line = 'policy render') => {
      const result = await render(line, parts);
      expect(result).toMatchObject({ code: 1, out: '' });
      return result.err;
    };
    const object = asKubectlPrints();
    expect(await refused({ input: { '-': stringify({ ...object, spec: { maxGroupSize: '7', allowedCluster: ['*'] } }) } })).toBe(
      'imctl: InstanceManagerPolicy "default": spec.maxGroupSize must be a non-negative integer; spec.allowedCluster is not a policy field\n' +
        '  fix: correct the object: kubectl explain instancemanagerpolicy.spec lists the fields and their types',
    );
    expect(await refused({ input: { '-': stringify({ ...object, metadata: { name: 'wide-open' } }) } })).toBe(
      'imctl: expected the InstanceManagerPolicy "default" object, got kind InstanceManagerPolicy named wide-open\n' +
        '  fix: give it the object as kubectl prints it: kubectl get instancemanagerpolicy default -o yaml',
    );
    // kubectl get failed: its error went to the terminal, nothing came down the pipe.
    expect(await refused({ input: { '-': '' } })).toBe(
      `imctl: stdin is empty: there is no InstanceManagerPolicy "default" to render\n  fix: pipe the object in: ${RENDER_COMMAND} ` +
        '(or read it with --from-cluster, or from a file with -f); if kubectl failed, its error is above',
    );
    expect(await refused({})).toMatch(/^imctl: policy render reads InstanceManagerPolicy "default" from stdin, and nothing is piped in\n  fix: pipe the object in: /);
    expect(await refused({ input: { 'p.yaml': 'spec: [1' } }, 'policy render -f p.yaml')).toMatch(/^imctl: p\.yaml is not YAML or JSON: .* at line 1, column 9\n  fix: give it the object/);
    expect(await refused({ input: { '-': `${stringify(object)}---\n${stringify(object)}` } })).toMatch(/^imctl: stdin holds 2 YAML documents; expected the one InstanceManagerPolicy "default" object\n/);
    expect(await refused({ input: { '-': stringify({ kind: 'List', items: [] }) } })).toMatch(/^imctl: stdin is a List without a InstanceManagerPolicy "default" item\n/);
    const long = Array.from({ length: 60 }, (_, i) => `arn:aws:iam::123456789012:role/${String(i).padStart(2000, 'r')}`);
    expect(await refused({ input: { '-': stringify(asKubectlPrints({ allowedRoles: long })) } })).toMatch(
      /^imctl: InstanceManagerPolicy "default": its values take \d+ characters of CEL, above the API server's 100000 per expression\n  fix: shorten the lists, e\.g\. with patterns ending in "\*"$/,
    );
  });

  test('a file it cannot read is named, with the fix', async () => {
    const deps = realDeps({ output: 'table', limit: 200 });
    await expect(deps.readInput('/nonexistent/policy.yaml')).rejects.toThrow(new CliError('cannot read /nonexistent/policy.yaml: no such file'));
    await expect(deps.readInput('/nonexistent/policy.yaml')).rejects.toMatchObject({ fix: 'pass a readable file to -f, or - for stdin' });
    expect(await deps.readInput(new URL('../../../infra/k8s/policy/default-policy.yaml', import.meta.url).pathname)).toContain('kind: InstanceManagerPolicy');
  });
});

describe('exit codes and errors', () => {
  test('usage errors exit 2; failures exit 1 with the fix', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await run(['status', '--nope'])).toBe(2);
      expect(String(write.mock.calls[0]![0])).toMatch(/^imctl: .*nope.*\nRun imctl --help for usage\.\n$/s);
    } finally {
      write.mockRestore();
    }
    const { deps, stderr } = fakeDeps();
    deps.groups = () => {
      throw new CliError('no kubeconfig: KUBECONFIG is not set', 'set KUBECONFIG');
    };
    expect(await imctl('status', deps)).toBe(1);
    expect(stderr()).toBe('imctl: no kubeconfig: KUBECONFIG is not set\n  fix: set KUBECONFIG');
  });

  test('the API server\'s 403 and 404 name the resource read: InstanceGroups, or the policy object for policy render', () => {
    const status = (code: number, message: string) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });
    const forbidden = status(403, 'instancemanagerpolicies.instancemgr.keikoproj.io "default" is forbidden');
    expect(explain(forbidden, { service: 'the API server', resource: 'instancemanagerpolicies' })).toMatchObject({
      fix: 'use an identity that may get instancemanagerpolicies.instancemgr.keikoproj.io',
    });
    expect(explain(forbidden, { service: 'the API server' })).toMatchObject({ fix: 'use an identity that may list and get instancegroups.instancemgr.keikoproj.io' });
    const noCrd = Object.assign(new Error('HTTP-Code: 404'), { code: 404, body: '404 page not found' });
    expect(explain(noCrd, { service: 'the API server', resource: 'instancemanagerpolicies' })).toMatchObject({
      message: 'the InstanceManagerPolicy CRD is not installed in this cluster',
      fix: 'kubectl apply -f infra/k8s/policy/crd.yaml',
    });
    expect(explain(noCrd, { service: 'the API server' })).toMatchObject({ message: 'the InstanceGroup CRD is not installed in this cluster' });
  });
});
