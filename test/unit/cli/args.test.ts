import { parseCommandLine, parseDuration, parseGroupRef, parseWhen } from '../../../cli/args.js';
import { UsageError } from '../../../cli/errors.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const parse = (line: string) => parseCommandLine(line.split(' ').filter(Boolean), NOW);
const usage = (line: string) => {
  try {
    parse(line);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`"${line}" parsed without a usage error`);
};

describe('imctl argument parsing', () => {
  test('no command, help and -h show the usage', () => {
    expect(parse('')).toEqual({ command: 'help' });
    expect(parse('help')).toEqual({ command: 'help' });
    expect(parse('status -h')).toEqual({ command: 'help', topic: 'status' });
    expect(parse('help replay')).toEqual({ command: 'help', topic: 'replay' });
    expect(usage('help nothing')).toMatch(/no help for "nothing"/);
  });

  test('status: namespace, all namespaces, output and connection flags', () => {
    expect(parse('status')).toMatchObject({ command: 'status', allNamespaces: false, options: { output: 'table', limit: 200 } });
    expect(parse('status -n team-a -o json')).toMatchObject({ command: 'status', options: { namespace: 'team-a', output: 'json' } });
    expect(parse('status -A --kubeconfig /tmp/k --context c1 --region eu-west-1')).toMatchObject({
      command: 'status',
      allNamespaces: true,
      options: { kubeconfig: '/tmp/k', context: 'c1', region: 'eu-west-1' },
    });
    expect(usage('status -A -n team-a')).toBe('-n and -A cannot be used together');
    expect(usage('status extra')).toMatch(/takes no arguments/);
    expect(parse('status -o yaml')).toMatchObject({ options: { output: 'yaml' } });
    expect(usage('status -o xml')).toBe('-o xml: expected table, json or yaml');
    expect(usage('status --since 2h')).toMatch(/--since not allowed here/);
  });

  test('executions takes one group as ns/name, or a name with -n', () => {
    expect(parse('executions team-a/hello-world')).toMatchObject({ command: 'executions', group: { namespace: 'team-a', name: 'hello-world' } });
    expect(parse('executions hello-world -n team-b')).toMatchObject({ group: { namespace: 'team-b', name: 'hello-world' } });
    expect(parse('executions hello-world')).toMatchObject({ group: { name: 'hello-world' } });
    expect(parse('executions a/b --limit 50')).toMatchObject({ options: { limit: 50 } });
    expect(usage('executions')).toMatch(/one InstanceGroup/);
    expect(usage('executions a/b c/d')).toMatch(/one InstanceGroup/);
    expect(usage('executions a/b -n c')).toBe('a/b and -n c name different namespaces');
    expect(usage('executions A_B')).toMatch(/is not an InstanceGroup/);
    expect(usage('executions a/b --limit 0')).toMatch(/--limit 0/);
    expect(usage('executions a/b --dry-run')).toMatch(/--dry-run not allowed/);
  });

  test('replay of a group: dry run, wait with timeout, cluster name', () => {
    expect(parse('replay team-a/hello-world')).toMatchObject({ command: 'replay-group', dryRun: false, wait: false, timeoutMs: 1_800_000 });
    expect(parse('replay team-a/hello-world --dry-run --wait --timeout 90s --cluster-name prod')).toMatchObject({
      command: 'replay-group',
      dryRun: true,
      wait: true,
      timeoutMs: 90_000,
      clusterName: 'prod',
    });
    expect(usage('replay')).toMatch(/one InstanceGroup .* or a window/);
    expect(usage('replay a/b --until 1h')).toBe('--until needs --since');
    expect(usage('replay a/b --archive x')).toMatch(/--archive not allowed/);
    expect(usage('replay a/b --timeout soon')).toMatch(/--timeout soon/);
  });

  test('replay of the archive: --since as duration or ISO time, --until, archive, rules', () => {
    expect(parse('replay --since 2h')).toMatchObject({
      command: 'replay-archive',
      since: new Date('2026-11-27T10:00:00Z'),
      until: NOW,
      rules: [],
      dryRun: false,
    });
    expect(parse('replay --since 2026-11-27T08:00:00Z --until 30m --archive a1 --rule r1 --rule r2 --wait')).toMatchObject({
      since: new Date('2026-11-27T08:00:00Z'),
      until: new Date('2026-11-27T11:30:00Z'),
      archive: 'a1',
      rules: ['r1', 'r2'],
      wait: true,
    });
    expect(usage('replay --since 1h --until 2h')).toMatch(/must be before --until/);
    expect(usage('replay --since yesterday')).toMatch(/--since "yesterday": expected an ISO 8601 time/);
    expect(usage('replay a/b --since 1h')).toMatch(/takes no InstanceGroup/);
    expect(usage('replay --since 1h --cluster-name x')).toMatch(/--cluster-name not allowed/);
    expect(usage('replay --since 2026-11-27T08:00:00Z --until 2026-11-28T08:00:00Z')).toMatch(/in the future/);
  });

  test('policy render: stdin by default, a file with -f, or the cluster with --from-cluster and its kubeconfig flags', () => {
    expect(parse('policy render')).toMatchObject({ command: 'policy-render', source: { kind: 'file', file: '-' } });
    expect(parse('policy render -f policy.yaml -o yaml')).toMatchObject({ source: { kind: 'file', file: 'policy.yaml' } });
    expect(parse('policy render --filename -')).toMatchObject({ source: { kind: 'file', file: '-' } });
    expect(parse('policy render --from-cluster --kubeconfig /tmp/k --context c1')).toMatchObject({
      command: 'policy-render',
      source: { kind: 'cluster' },
      options: { kubeconfig: '/tmp/k', context: 'c1' },
    });
    expect(parse('policy render --help')).toEqual({ command: 'help', topic: 'policy' });
    expect(usage('policy')).toBe('policy takes a subcommand: imctl policy render');
    expect(usage('policy apply')).toMatch(/unknown policy subcommand "apply"/);
    expect(usage('policy render policy.yaml')).toMatch(/takes no arguments .* give the file with -f/);
    expect(usage('policy render -f a.yaml --from-cluster')).toBe('-f and --from-cluster cannot be used together');
    expect(usage('policy render --kubeconfig /tmp/k')).toBe('--kubeconfig and --context need --from-cluster');
    expect(usage('policy render -o json')).toMatch(/prints YAML manifests for kubectl apply; -o json/);
    expect(usage('policy render --stage prod')).toMatch(/--stage not allowed here/);
    expect(usage('status -f a.yaml')).toMatch(/--filename not allowed here/);
  });

  test('unknown commands and flags are usage errors', () => {
    expect(usage('frobnicate')).toMatch(/unknown command "frobnicate"/);
    expect(usage('status --bogus')).toMatch(/bogus/);
  });
});

describe('helpers', () => {
  test('parseDuration', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('2w')).toBeUndefined();
  });

  test('parseWhen: durations count back from now; ISO times are absolute', () => {
    expect(parseWhen('90m', NOW, '--since').toISOString()).toBe('2026-11-27T10:30:00.000Z');
    expect(parseWhen('2026-11-27T01:02:03+01:00', NOW, '--since').toISOString()).toBe('2026-11-27T00:02:03.000Z');
    expect(() => parseWhen('2026-13-45', NOW, '--since')).toThrow(UsageError);
  });

  test('parseGroupRef', () => {
    expect(parseGroupRef('ns/name')).toEqual({ namespace: 'ns', name: 'name' });
    expect(parseGroupRef('name.with.dots')).toEqual({ name: 'name.with.dots' });
    expect(() => parseGroupRef('a/b/c')).toThrow(UsageError);
  });
});
