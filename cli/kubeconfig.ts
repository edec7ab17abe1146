// Kubeconfigs as kubectl reads them, through @kubernetes/client-node's KubeConfig: every auth method it supports
// (tokens, client certificates, exec credential plugins such as `aws eks get-token`, auth providers), a
// KUBECONFIG list merged with the first file winning (kubectl's rule), and --context.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import type { GlobalOptions } from './args.js';
import { CliError } from './errors.js';

export interface LoadedKubeconfig {
  config: KubeConfig;
  files: string[];
  context: Context;
  cluster: Cluster;
  user?: User;
  /** The namespace a bare group name means: the context's, else "default". */
  namespace: string;
}

/** --kubeconfig, else every existing file $KUBECONFIG lists, else ~/.kube/config. */
export function kubeconfigFiles(options: Pick<GlobalOptions, 'kubeconfig'>, env: NodeJS.ProcessEnv): string[] {
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new CliError(`kubeconfig ${options.kubeconfig} does not exist`, 'pass an existing file to --kubeconfig');
    return [options.kubeconfig];
  }
  const listed = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  const found = listed.filter((f) => existsSync(f));
  if (found.length) return found;
  const home = path.join(env.HOME ?? homedir(), '.kube', 'config');
  if (!listed.length && existsSync(home)) return [home];
  throw new CliError(
    listed.length ? `KUBECONFIG names no existing file (${env.KUBECONFIG})` : 'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist',
    'set KUBECONFIG or pass --kubeconfig (locally, `npm start` prints the kubeconfig path)',
  );
}

/** kubectl's merge: the first file that names a cluster, user or context (or sets current-context) wins. */
function merge(files: string[]): KubeConfig {
  const byName = <T extends { name: string }>(lists: T[][]) => [...new Map(lists.flat().reverse().map((x) => [x.name, x])).values()].reverse();
  const loaded = files.map((file) => {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (error) {
      throw new CliError(`kubeconfig ${file} cannot be read: ${(error as Error).message}`, 'fix the file, or point KUBECONFIG / --kubeconfig elsewhere');
    }
    return kc;
  });
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: byName(loaded.map((k) => k.clusters)),
    users: byName(loaded.map((k) => k.users)),
    contexts: byName(loaded.map((k) => k.contexts)),
    currentContext: loaded.map((k) => k.currentContext).find(Boolean) ?? '',
  });
  return merged;
}

export function loadKubeconfig(options: Pick<GlobalOptions, 'kubeconfig' | 'context'>, env: NodeJS.ProcessEnv): LoadedKubeconfig {
  const files = kubeconfigFiles(options, env);
  const config = merge(files);
  const where = files.join(path.delimiter);
  const name = options.context ?? config.currentContext;
  if (!name) throw new CliError(`kubeconfig ${where} has no current-context`, 'pick one with --context (kubectl config get-contexts lists them)');
  const context = config.getContextObject(name);
  if (!context) {
    const known = config.contexts.map((c) => c.name).join(', ') || 'none';
    throw new CliError(`kubeconfig ${where} has no context ${name} (contexts: ${known})`, options.context ? 'check --context' : 'pick a context with --context');
  }
  config.setCurrentContext(name);
  const cluster = config.getCluster(context.cluster);
  if (!cluster) throw new CliError(`kubeconfig ${where}: context ${name} names cluster ${context.cluster}, which it does not define`, 'fix the kubeconfig');
  const user = config.getUser(context.user) ?? undefined;
  return { config, files, context, cluster, ...(user ? { user } : {}), namespace: context.namespace ?? 'default' };
}

/** The exec credential plugin a user runs (`aws eks get-token …`), for messages. */
export function execPluginOf(user: User | undefined): string | undefined {
  const exec = user?.exec as { command?: string; args?: string[] } | undefined;
  return exec?.command ? [exec.command, ...(exec.args ?? [])].join(' ') : undefined;
}
