// Amazon Linux 2 EKS images: cloud-init runs the user data's shell scripts, and one of them calls
// /etc/eks/bootstrap.sh <cluster-name> [options]. Its options take their value as the next word; the first word that
// is not an option is the cluster name. Without --apiserver-endpoint or --b64-cluster-ca, bootstrap.sh asks
// DescribeCluster for them (done by the caller). Only literal words are understood: a word that needs the shell to
// expand a variable or run a command is refused, since this emulator runs no shell.
import { parse, type ParseEntry } from 'shell-quote';
import { BootError, type BootConfig } from '../boot-config.js';
import { parseKubeletFlags } from './kubelet-flags.js';
import type { UserDataPart } from './parts.js';

export const BOOTSTRAP_SH = '/etc/eks/bootstrap.sh';

/** bootstrap.sh options that take a value (the next word); flags it does not know become positional words. */
const VALUED = new Set([
  '--apiserver-endpoint', '--b64-cluster-ca', '--kubelet-extra-args', '--use-max-pods', '--dns-cluster-ip',
  '--container-runtime', '--ip-family', '--service-ipv6-cidr', '--enable-docker-bridge', '--aws-api-retry-attempts',
  '--docker-config-json', '--containerd-config-file', '--pause-container-account', '--pause-container-version',
  '--enable-local-outpost', '--cluster-id', '--local-disks',
]);

const EXPANSION = '\u0000';
const KUBELET_DEFAULT_MAX_PODS = 110;

/** The words of the first command in the scripts that runs bootstrap.sh. */
function bootstrapCommand(scripts: string[]): string[] | undefined {
  for (const script of scripts) {
    const text = script.replace(/\\\r?\n/g, ' ');
    for (const line of text.split(/\r?\n/)) {
      if (!line.includes(BOOTSTRAP_SH)) continue;
      const entries: ParseEntry[] = parse(line, (name) => `${EXPANSION}${name}${EXPANSION}`);
      let command: ParseEntry[] = [];
      const commands: ParseEntry[][] = [command];
      for (const entry of entries) {
        if (typeof entry === 'object' && 'op' in entry && entry.op !== 'glob') commands.push((command = []));
        else if (typeof entry === 'object' && 'comment' in entry) break;
        else command.push(entry);
      }
      for (const words of commands) {
        const start = words.findIndex((w) => typeof w === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && w !== 'exec' && w !== 'sudo');
        if (start < 0 || words[start] !== BOOTSTRAP_SH) continue;
        const args = words.slice(start + 1);
        for (const w of args) {
          if (typeof w !== 'string' || w.includes(EXPANSION) || w.includes('`')) {
            throw new BootError(`${BOOTSTRAP_SH} is called with a shell expansion (${typeof w === 'string' ? w.replaceAll(EXPANSION, '$') : JSON.stringify(w)}); the emulator evaluates literal words only`);
          }
        }
        return args as string[];
      }
    }
  }
  return undefined;
}

export function readBootstrapScript(parts: UserDataPart[]): BootConfig {
  const scripts = parts.filter((p) => p.contentType === 'text/x-shellscript').map((p) => p.body);
  if (!scripts.length) throw new BootError('no shell script in the user data (AL2 images run text/x-shellscript parts or a script starting with #!)');
  const args = bootstrapCommand(scripts);
  if (!args) throw new BootError(`the user data never calls ${BOOTSTRAP_SH}`);
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (VALUED.has(word)) {
      const value = args[++i];
      if (value === undefined) throw new BootError(`${BOOTSTRAP_SH}: ${word} has no value`);
      options.set(word, value);
    } else positional.push(word);
  }
  const clusterName = positional[0];
  if (!clusterName) throw new BootError(`${BOOTSTRAP_SH}: no cluster name (its first argument)`);
  const extra = options.get('--kubelet-extra-args') ?? '';
  const extraWords = parse(extra).filter((w): w is string => typeof w === 'string');
  const kubelet = parseKubeletFlags(extraWords, '--kubelet-extra-args');
  const useMaxPods = (options.get('--use-max-pods') ?? 'true') !== 'false';
  const endpoint = options.get('--apiserver-endpoint');
  const ca = options.get('--b64-cluster-ca');
  const dns = options.get('--dns-cluster-ip');
  return {
    family: 'al2',
    clusterName,
    ...(endpoint ? { apiServerEndpoint: endpoint } : {}),
    ...(ca ? { certificateAuthority: ca } : {}),
    ...(dns ? { clusterDnsIp: dns } : {}),
    // kubelet flags win over bootstrap.sh's computed --max-pods; with --use-max-pods false the kubelet default applies.
    ...(kubelet.maxPods !== undefined ? { maxPods: kubelet.maxPods } : useMaxPods ? {} : { maxPods: KUBELET_DEFAULT_MAX_PODS }),
    labels: kubelet.labels,
    taints: kubelet.taints,
  };
}
