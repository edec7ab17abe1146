// The relay's AWS credentials, found in the order the SDK's default chain finds them in a pod:
//   1. environment keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
//   2. IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN -> STS AssumeRoleWithWebIdentity (unsigned: the token is the proof);
//   3. EKS Pod Identity (or ECS): AWS_CONTAINER_CREDENTIALS_FULL_URI (or _RELATIVE_URI) with the token of
//      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or AWS_CONTAINER_AUTHORIZATION_TOKEN);
//   4. anything else (profiles, SSO, the node's instance role): the SDK's own chain, imported only then.
// 2 and 3 are calls over node's http/https instead of the SDK's providers because those cost the relay ~12 MB and
// ~14 MB of resident memory when loaded (bench/README.md, "Relay memory"). Temporary credentials are cached and
// refreshed ahead of their expiry; concurrent callers share one refresh.
import fs from 'node:fs';
import { httpRequest, type Agents } from './aws-http.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working. */
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;

export type CredentialSource = 'environment' | 'web identity' | 'container' | 'sdk chain';

/** No credentials from the source the environment selects; `source` says which, `retryable` whether trying later may help. */
export class AwsCredentialsError extends Error {
  readonly retryable: boolean;
  constructor(
    message: string,
    readonly source: CredentialSource,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options);
    this.name = 'AwsCredentialsError';
    this.retryable = options?.retryable ?? false;
  }
}

export interface CredentialsOptions {
  region: string;
  env?: NodeJS.ProcessEnv;
  agents?: Agents;
  /** Refresh temporary credentials this long before they expire (default 5 minutes, as the SDK). */
  refreshBeforeMs?: number;
  now?: () => number;
}

export function credentialSource(env: NodeJS.ProcessEnv): CredentialSource {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'environment';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return 'web identity';
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return 'container';
  return 'sdk chain';
}

/** The provider for this environment's source, cached until `refreshBeforeMs` before the credentials expire. */
export function relayCredentials(options: CredentialsOptions): CredentialsProvider {
  const env = options.env ?? process.env;
  const fetchers: Record<CredentialSource, CredentialsProvider> = {
    environment: async () => ({
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    }),
    'web identity': () => fromWebIdentity(env, options),
    container: () => fromContainer(env, options),
    'sdk chain': () => fromSdkChain(options.region),
  };
  return cached(fetchers[credentialSource(env)], options.refreshBeforeMs ?? 5 * 60_000, options.now ?? Date.now);
}

function cached(fetchOnce: CredentialsProvider, refreshBeforeMs: number, now: () => number): CredentialsProvider {
  let current: AwsCredentials | undefined;
  let refreshing: Promise<AwsCredentials> | undefined;
  const fresh = (c: AwsCredentials) => !c.expiration || c.expiration.getTime() - refreshBeforeMs > now();
  const usable = (c: AwsCredentials) => !c.expiration || c.expiration.getTime() > now();
  return () => {
    if (current && fresh(current)) return Promise.resolve(current);
    refreshing ??= fetchOnce()
      .then((got) => (current = got))
      .catch((error: unknown) => {
        // A failed early refresh keeps the credentials that still work; the next call tries again.
        if (current && usable(current)) return current;
        throw error;
      })
      .finally(() => (refreshing = undefined));
    return refreshing;
  };
}

// Regions whose STS calls went to the global endpoint under AWS_STS_REGIONAL_ENDPOINTS=legacy.
const STS_LEGACY_GLOBAL = new Set(
  'ap-northeast-1 ap-south-1 ap-southeast-1 ap-southeast-2 aws-global ca-central-1 eu-central-1 eu-north-1 eu-west-1 eu-west-2 eu-west-3 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2'.split(' '),
);

/** STS's endpoint as the SDK picks it: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else regional (global only for `legacy`). */
export function stsEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  const override = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
  if (override) return override;
  if (env.AWS_STS_REGIONAL_ENDPOINTS === 'legacy' && STS_LEGACY_GLOBAL.has(region)) return 'https://sts.amazonaws.com';
  return `https://sts.${region}.${dnsSuffix(region)}`;
}

/** AssumeRoleWithWebIdentity; the token file is read at every refresh (the kubelet rotates it). */
async function fromWebIdentity(env: NodeJS.ProcessEnv, options: CredentialsOptions): Promise<AwsCredentials> {
  const source = 'web identity';
  const token = readToken(env.AWS_WEB_IDENTITY_TOKEN_FILE!, 'AWS_WEB_IDENTITY_TOKEN_FILE', source);
  const endpoint = stsEndpoint(options.region, env);
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: env.AWS_ROLE_ARN!,
    RoleSessionName: env.AWS_ROLE_SESSION_NAME || `instance-manager-relay-${Date.now()}`,
    WebIdentityToken: token,
  }).toString();
  const answer = await httpRequest(new URL('/', endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
    body,
    ...(options.agents ? { agents: options.agents } : {}),
  }).catch((error: unknown) => {
    throw new AwsCredentialsError(`STS AssumeRoleWithWebIdentity at ${endpoint} failed: ${(error as Error).message}`, source, { cause: error, retryable: true });
  });
  if (answer.status !== 200) {
    const code = xmlValue(answer.body, 'Code') ?? `HTTP ${answer.status}`;
    throw new AwsCredentialsError(
      `STS AssumeRoleWithWebIdentity for ${env.AWS_ROLE_ARN} refused: ${code}: ${xmlValue(answer.body, 'Message') ?? ''} (check the role's trust policy for this service account)`,
      source,
      { retryable: answer.status >= 500 || code === 'IDPCommunicationError' || code === 'Throttling' },
    );
  }
  const [accessKeyId, secretAccessKey, sessionToken, expiration] = ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'].map((t) =>
    xmlValue(answer.body, t),
  );
  if (!accessKeyId || !secretAccessKey || !sessionToken) {
    throw new AwsCredentialsError('STS AssumeRoleWithWebIdentity answered without credentials', source, { retryable: true });
  }
  return { accessKeyId, secretAccessKey, sessionToken, ...(expiration ? { expiration: new Date(expiration) } : {}) };
}

// Plain-http hosts the SDK accepts for container credentials: loopback, the ECS agent, the EKS Pod Identity Agent.
const CONTAINER_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]', 'localhost', '[::1]']);

async function fromContainer(env: NodeJS.ProcessEnv, options: CredentialsOptions): Promise<AwsCredentials> {
  const source = 'container';
  const url = env.AWS_CONTAINER_CREDENTIALS_FULL_URI
    ? new URL(env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
    : new URL(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI!, 'http://169.254.170.2');
  if (url.protocol === 'http:' && !CONTAINER_HOSTS.has(url.hostname) && !url.hostname.startsWith('127.')) {
    throw new AwsCredentialsError(`${url.href}: plain http is allowed only to loopback, the ECS agent or the EKS Pod Identity Agent`, source);
  }
  const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
    ? readToken(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', source)
    : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  const answer = await httpRequest(url, {
    method: 'GET',
    headers: { accept: 'application/json', ...(token ? { authorization: token } : {}) },
    ...(options.agents ? { agents: options.agents } : {}),
    connectTimeoutMs: 1_000,
    idleTimeoutMs: 5_000,
  }).catch((error: unknown) => {
    throw new AwsCredentialsError(`container credentials at ${url.href} failed: ${(error as Error).message}`, source, { cause: error, retryable: true });
  });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    // reported below
  }
  const { AccessKeyId, SecretAccessKey, Token, Expiration, Message } = parsed;
  if (answer.status !== 200 || typeof AccessKeyId !== 'string' || typeof SecretAccessKey !== 'string') {
    throw new AwsCredentialsError(`container credentials at ${url.href} answered HTTP ${answer.status}${typeof Message === 'string' ? `: ${Message}` : ''}`, source, {
      retryable: answer.status >= 500 || answer.status === 429,
    });
  }
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    ...(typeof Token === 'string' ? { sessionToken: Token } : {}),
    ...(typeof Expiration === 'string' ? { expiration: new Date(Expiration) } : {}),
  };
}

async function fromSdkChain(region: string): Promise<AwsCredentials> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  try {
    return await defaultProvider({ clientConfig: { region } })();
  } catch (error) {
    throw new AwsCredentialsError(
      `no AWS credentials (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, IRSA's AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, or EKS Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI): ${(error as Error).message}`,
      'sdk chain',
      { cause: error },
    );
  }
}

function readToken(file: string, variable: string, source: CredentialSource): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    // Retryable: a projected token may appear a moment after the container starts.
    throw new AwsCredentialsError(`cannot read ${variable} ${file}: ${(error as Error).message}`, source, { cause: error, retryable: true });
  }
}

export function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]?.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}
