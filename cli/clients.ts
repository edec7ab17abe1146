// The clients a command uses, built on first use so that `status` needs no AWS access and `replay --since` no
// cluster. Tests pass stubs with the same shapes.
import { readFile } from 'node:fs/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig } from '../core/aws/config.js';
import type { GroupKey } from '../core/kube/instancegroups.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { GlobalOptions } from './args.js';
import { CliError, explain } from './errors.js';
import { kubeGroups, kubePolicyObject } from './kube-groups.js';

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
  /** CloudFormation, to read the deployed stack's outputs (--stage). */
  cloudformation(): Sender;
  /** InstanceManagerPolicy "default" from the cluster, as the API server returns it. */
  policyObject(): Promise<unknown>;
  /** A file's text, or stdin's for "-"; undefined for "-" when stdin is a terminal (nothing is piped in). */
  readInput(file: string): Promise<string | undefined>;
  out(text: string): void;
  err(text: string): void;
  now(): Date;
  sleep(ms: number): Promise<void>;
  env: NodeJS.ProcessEnv;
  /** Releases connections so the process can exit. */
  close?(): void;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/** SDK settings; against a loopback endpoint with no credentials configured, dummy ones (the local runtime accepts any). */
export function awsConfig(service: 'SFN' | 'EVENTBRIDGE' | 'CLOUDFORMATION', options: Pick<GlobalOptions, 'region'>, env: NodeJS.ProcessEnv) {
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

async function readInput(file: string): Promise<string | undefined> {
  if (file === '-') {
    if (process.stdin.isTTY) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`, 'pass a readable file to -f, or - for stdin');
  }
}

export function realDeps(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Deps {
  let groups: GroupSource | undefined;
  let sfn: (Sender & { destroy(): void }) | undefined;
  let events: (Sender & { destroy(): void }) | undefined;
  let cloudformation: (Sender & { destroy(): void }) | undefined;
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
    cloudformation: () =>
      (cloudformation ??= explained(
        new CloudFormationClient(awsConfig('CLOUDFORMATION', options, env)) as unknown as Sender & { destroy(): void },
        'CloudFormation',
        env.AWS_ENDPOINT_URL_CLOUDFORMATION ?? env.AWS_ENDPOINT_URL,
      )),
    policyObject: () => kubePolicyObject(options, env),
    readInput,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    env,
    close: () => {
      groups?.close?.();
      sfn?.destroy();
      events?.destroy();
      cloudformation?.destroy();
    },
  };
}
