// Argument parsing for imctl: node:util parseArgs, then per-command checks. Throws UsageError (exit 2).
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { COMMANDS, SHELLS, type Shell } from './help.js';

export { USAGE } from './help.js';

export type Output = 'table' | 'json' | 'yaml';
const OUTPUTS: Output[] = ['table', 'json', 'yaml'];

export interface GlobalOptions {
  output: Output;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  region?: string;
  /** The deployed stage: state machines and archive come from the stack instance-manager-<stage>'s outputs. */
  stage?: string;
  stateMachinePrefix?: string;
  limit: number;
}

export interface GroupRefArg {
  namespace?: string;
  name: string;
}

/** Where policy render reads InstanceManagerPolicy "default": a file ("-": stdin) or the cluster. */
export type PolicySource = { kind: 'file'; file: string } | { kind: 'cluster' };

export type Command =
  | { command: 'help'; topic?: string }
  | { command: 'version' }
  | { command: 'completion'; shell: Shell }
  | { command: 'status'; allNamespaces: boolean; options: GlobalOptions }
  | { command: 'executions'; group: GroupRefArg; options: GlobalOptions }
  | { command: 'replay-group'; group: GroupRefArg; dryRun: boolean; wait: boolean; timeoutMs: number; clusterName?: string; options: GlobalOptions }
  | { command: 'replay-archive'; since: Date; until: Date; archive?: string; rules: string[]; dryRun: boolean; wait: boolean; timeoutMs: number; options: GlobalOptions }
  | { command: 'policy-render'; source: PolicySource; options: GlobalOptions };

const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m", "2h", "1h30m", "1d", "45s" → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(t)) return undefined;
  let total = 0;
  for (const [, n, , unit] of t.matchAll(/(\d+(\.\d+)?)([smhd])/g)) total += Number(n) * UNITS_MS[unit!]!;
  return total;
}

/** An ISO 8601 time, or a duration back from `now`. */
export function parseWhen(text: string, now: Date, flag: string): Date {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (!Number.isNaN(at)) return new Date(at);
  }
  throw new UsageError(`${flag} ${JSON.stringify(text)}: expected an ISO 8601 time (2026-11-27T10:00:00Z) or a duration back from now (30m, 2h, 1d)`);
}

/** "ns/name" or "name" (namespace from -n or the default). */
export function parseGroupRef(text: string): GroupRefArg {
  const parts = text.split('/');
  const ok = (s: string | undefined) => !!s && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s);
  if (parts.length === 1 && ok(parts[0])) return { name: parts[0]! };
  if (parts.length === 2 && ok(parts[0]) && ok(parts[1])) return { namespace: parts[0]!, name: parts[1]! };
  throw new UsageError(`"${text}" is not an InstanceGroup: expected <namespace>/<name> or <name>`);
}

export function parseCommandLine(argv: string[], now = new Date()): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        stage: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
        output: { type: 'string', short: 'o' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        region: { type: 'string' },
        'state-machine-prefix': { type: 'string' },
        limit: { type: 'string' },
        'dry-run': { type: 'boolean' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        'cluster-name': { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        archive: { type: 'string' },
        rule: { type: 'string', multiple: true },
        filename: { type: 'string', short: 'f' },
        'from-cluster': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (v.version || command === 'version') return { command: 'version' };
  if (command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !COMMANDS.includes(topic)) throw new UsageError(`no help for "${topic}" (commands: ${COMMANDS.join(', ')})`);
    return topic ? { command: 'help', topic } : { command: 'help' };
  }
  if (v.help || command === undefined) return command && COMMANDS.includes(command) ? { command: 'help', topic: command } : { command: 'help' };
  if (command === 'completion') {
    const shell = rest[0] as Shell | undefined;
    if (!shell || !SHELLS.includes(shell) || rest.length > 1) throw new UsageError(`completion takes one shell: ${SHELLS.join(', ')}`);
    return { command: 'completion', shell };
  }

  const output = (v.output ?? 'table') as Output;
  if (!OUTPUTS.includes(output)) throw new UsageError(`-o ${output}: expected table, json or yaml`);
  if (v.stage !== undefined && !/^[a-zA-Z0-9-]+$/.test(v.stage)) throw new UsageError(`--stage ${v.stage}: expected the serverless stage (letters, digits and -)`);
  const limit = v.limit === undefined ? 200 : Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${v.limit}: expected a positive whole number`);
  const options: GlobalOptions = {
    output,
    limit,
    ...(v.kubeconfig ? { kubeconfig: v.kubeconfig } : {}),
    ...(v.context ? { context: v.context } : {}),
    ...(v.namespace ? { namespace: v.namespace } : {}),
    ...(v.region ? { region: v.region } : {}),
    ...(v.stage ? { stage: v.stage } : {}),
    ...(v['state-machine-prefix'] !== undefined ? { stateMachinePrefix: v['state-machine-prefix'] } : {}),
  };

  const used = (names: string[], allowed: string[]) => {
    const extra = names.filter((n) => (v as Record<string, unknown>)[n] !== undefined && !allowed.includes(n));
    if (extra.length) throw new UsageError(`${command}: ${extra.map((n) => `--${n}`).join(', ')} not allowed here`);
  };
  const specific = ['all-namespaces', 'dry-run', 'wait', 'timeout', 'cluster-name', 'since', 'until', 'archive', 'rule', 'filename', 'from-cluster'];
  const timeoutMs = () => {
    if (v.timeout === undefined) return 30 * 60_000;
    const ms = parseDuration(v.timeout);
    if (!ms) throw new UsageError(`--timeout ${v.timeout}: expected a duration (90s, 10m, 1h)`);
    return ms;
  };
  const withNamespace = (ref: GroupRefArg): GroupRefArg => {
    if (ref.namespace && v.namespace && ref.namespace !== v.namespace) {
      throw new UsageError(`${ref.namespace}/${ref.name} and -n ${v.namespace} name different namespaces`);
    }
    return ref.namespace ? ref : { ...ref, ...(v.namespace ? { namespace: v.namespace } : {}) };
  };

  switch (command) {
    case 'status':
      used(specific, ['all-namespaces']);
      if (rest.length) throw new UsageError(`status takes no arguments (got ${rest.join(' ')})`);
      if (v['all-namespaces'] && v.namespace) throw new UsageError('-n and -A cannot be used together');
      return { command: 'status', allNamespaces: !!v['all-namespaces'], options };
    case 'executions':
      used(specific, []);
      if (rest.length !== 1) throw new UsageError('executions takes one InstanceGroup: imctl executions <namespace>/<name>');
      return { command: 'executions', group: withNamespace(parseGroupRef(rest[0]!)), options };
    case 'replay': {
      if (v.since !== undefined) {
        used(specific, ['since', 'until', 'archive', 'rule', 'dry-run', 'wait', 'timeout']);
        if (rest.length) throw new UsageError('replay --since replays the archive for a window; it takes no InstanceGroup');
        const since = parseWhen(v.since, now, '--since');
        const until = v.until === undefined ? now : parseWhen(v.until, now, '--until');
        if (since >= until) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
        if (until.getTime() > now.getTime() + 60_000) throw new UsageError(`--until (${until.toISOString()}) is in the future`);
        return {
          command: 'replay-archive',
          since,
          until,
          ...(v.archive ? { archive: v.archive } : {}),
          rules: v.rule ?? [],
          dryRun: !!v['dry-run'],
          wait: !!v.wait,
          timeoutMs: timeoutMs(),
          options,
        };
      }
      if (v.until !== undefined) throw new UsageError('--until needs --since');
      used(specific, ['dry-run', 'wait', 'timeout', 'cluster-name']);
      if (rest.length !== 1) throw new UsageError('replay takes one InstanceGroup (imctl replay <namespace>/<name>) or a window (imctl replay --since 2h)');
      return {
        command: 'replay-group',
        group: withNamespace(parseGroupRef(rest[0]!)),
        dryRun: !!v['dry-run'],
        wait: !!v.wait,
        timeoutMs: timeoutMs(),
        ...(v['cluster-name'] ? { clusterName: v['cluster-name'] } : {}),
        options,
      };
    }
    case 'policy': {
      if (rest[0] !== 'render') throw new UsageError(rest[0] ? `unknown policy subcommand "${rest[0]}" (policy render)` : 'policy takes a subcommand: imctl policy render');
      if (rest.length > 1) throw new UsageError(`policy render takes no arguments (got ${rest.slice(1).join(' ')}); give the file with -f`);
      // It prints manifests and reads at most the cluster's policy object: AWS and namespace flags mean nothing here.
      if (!v['from-cluster'] && (v.kubeconfig !== undefined || v.context !== undefined)) throw new UsageError('--kubeconfig and --context need --from-cluster');
      const cluster = v['from-cluster'] ? ['kubeconfig', 'context'] : [];
      used([...specific, 'namespace', 'stage', 'region', 'state-machine-prefix', 'limit', 'kubeconfig', 'context'], ['filename', 'from-cluster', ...cluster]);
      if (v.output !== undefined && v.output !== 'yaml') throw new UsageError(`policy render prints YAML manifests for kubectl apply; -o ${v.output} is not one of its formats`);
      if (v['from-cluster'] && v.filename !== undefined) throw new UsageError('-f and --from-cluster cannot be used together');
      return { command: 'policy-render', source: v['from-cluster'] ? { kind: 'cluster' } : { kind: 'file', file: v.filename ?? '-' }, options };
    }
    default:
      throw new UsageError(`unknown command "${command}" (commands: ${COMMANDS.join(', ')})`);
  }
}
