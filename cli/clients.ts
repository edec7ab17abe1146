// The clients a command uses, built on first use so that `status` needs no AWS access and `replay --since` no
// cluster. Tests pass stubs with the same shapes.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parse } from 'yaml';
import { awsClientConfig } from '../core/aws/config.js';
import { connectionFromKubeconfig } from '../core/kube/connection.js';
import { InstanceGroupApi, type GroupKey } from '../core/kube/instancegroups.js';
import { KubeRest } from '../core/kube/rest.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { GlobalOptions } from './args.js';
import { CliError, explain } from './errors.js';

export interface GroupSource {
  /** The namespace a bare group name means. */
  defaultNamespace: string;
  get(key: GroupKey): Promise<InstanceGroup | undefined>;
  list(namespace?: string): Promise<InstanceGroup[]>;
  close?(): void;
}

/** Anything with the SDK clients' send(command). */
export interface Sender {
  send(command: unknown): Promise<unknown>;
}

export interface Deps {
  groups(): GroupSource;
  sfn(): Sender;
  events(): Sender;
  out(text: string): void;
  err(text: string): void;
  now(): Date;
  sleep(ms: number): Promise<void>;
  env: NodeJS.ProcessEnv;
  /** Releases connections so the process can exit. */
  close?(): void;
}

/** $KUBECONFIG's first existing file (it may be a list), else ~/.kube/config. */
export function kubeconfigPath(options: Pick<GlobalOptions, 'kubeconfig'>, env: NodeJS.ProcessEnv): string {
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new CliError(`kubeconfig ${options.kubeconfig} does not exist`, 'pass an existing file to --kubeconfig');
    return options.kubeconfig;
  }
  const candidates = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  const found = candidates.find((f) => existsSync(f));
  if (found) return found;
  const home = path.join(env.HOME ?? homedir(), '.kube', 'config');
  if (!candidates.length && existsSync(home)) return home;
  throw new CliError(
    candidates.length ? `KUBECONFIG names no existing file (${env.KUBECONFIG})` : 'no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist',
    'set KUBECONFIG or pass --kubeconfig (locally, `npm start` prints the kubeconfig path)',
  );
}

function contextNamespace(file: string, contextName: string | undefined): string | undefined {
  try {
    const config = parse(readFileSync(file, 'utf8')) as { 'current-context'?: string; contexts?: { name: string; context?: { namespace?: string } }[] };
    const name = contextName ?? config['current-context'];
    return config.contexts?.find((c) => c.name === name)?.context?.namespace;
  } catch {
    return undefined;
  }
}

/** InstanceGroups through core/kube (the thin REST client), from a kubeconfig. */
export function kubeGroups(options: GlobalOptions, env: NodeJS.ProcessEnv): GroupSource {
  const file = kubeconfigPath(options, env);
  let connection;
  try {
    connection = connectionFromKubeconfig(file, options.context);
  } catch (error) {
    throw new CliError((error as Error).message, options.context ? 'check --context' : 'check the kubeconfig (or pick a context with --context)');
  }
  const api = new InstanceGroupApi(new KubeRest(connection));
  const where = `${connection.server} (kubeconfig ${file})`;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw explain(error, { service: 'the API server', where });
    }
  };
  return {
    defaultNamespace: contextNamespace(file, options.context) ?? 'default',
    get: (key) => call(() => api.get(key)),
    list: (namespace) => call(async () => (await api.list(namespace)).items),
    close: () => api.kube.close(),
  };
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/** SDK settings; against a loopback endpoint with no credentials configured, dummy ones (the local runtime accepts any). */
export function awsConfig(service: 'SFN' | 'EVENTBRIDGE', options: Pick<GlobalOptions, 'region'>, env: NodeJS.ProcessEnv) {
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  const hasCredentials = !!(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  return {
    ...awsClientConfig({ maxAttempts: 3, ...(options.region ? { region: options.region } : {}) }),
    ...(endpoint && LOOPBACK.test(endpoint) && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
}

/** A client whose failures come back as CliErrors naming the fix. */
function explained(client: Sender & { destroy(): void }, service: string, endpoint: string | undefined): Sender & { destroy(): void } {
  return {
    destroy: () => client.destroy(),
    send: async (command) => {
      try {
        return await client.send(command);
      } catch (error) {
        throw explain(error, { service, ...(endpoint ? { where: endpoint } : {}) });
      }
    },
  };
}

export function realDeps(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Deps {
  let groups: GroupSource | undefined;
  let sfn: (Sender & { destroy(): void }) | undefined;
  let events: (Sender & { destroy(): void }) | undefined;
  return {
    groups: () => (groups ??= kubeGroups(options, env)),
    sfn: () =>
      (sfn ??= explained(
        new SFNClient(awsConfig('SFN', options, env)) as unknown as Sender & { destroy(): void },
        'Step Functions',
        env.AWS_ENDPOINT_URL_SFN ?? env.AWS_ENDPOINT_URL,
      )),
    events: () =>
      (events ??= explained(
        new EventBridgeClient(awsConfig('EVENTBRIDGE', options, env)) as unknown as Sender & { destroy(): void },
        'EventBridge',
        env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? env.AWS_ENDPOINT_URL,
      )),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    env,
    close: () => {
      groups?.close?.();
      sfn?.destroy();
      events?.destroy();
    },
  };
}
