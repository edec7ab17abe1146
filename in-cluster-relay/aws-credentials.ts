// The relay's AWS credentials, found in the order the SDK's default chain finds them in a pod:
//   1. environment keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
//   2. IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN -> STS AssumeRoleWithWebIdentity (unsigned: the token is the proof);
//   3. EKS Pod Identity (or ECS): AWS_CONTAINER_CREDENTIALS_FULL_URI (or _RELATIVE_URI) with the token of
//      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or AWS_CONTAINER_AUTHORIZATION_TOKEN);
//   4. the node's instance role: IMDSv2 (IMDSv1 where the token call is refused), unless AWS_EC2_METADATA_DISABLED.
// 2 to 4 are calls over node's http/https instead of the SDK's providers because those cost the relay ~12 MB and
// ~14 MB of resident memory when loaded, and the SDK chain in the bundle alone ~1 MB (bench/README.md, "Relay
// memory"). Not supported (nor found in a pod): shared config profiles, SSO, credential_process. Temporary
// credentials are cached and refreshed ahead of their expiry; concurrent callers share one refresh.
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

export type CredentialSource = 'environment' | 'web identity' | 'container' | 'instance' | 'none';

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
  if (env.AWS_EC2_METADATA_DISABLED?.toLowerCase() !== 'true') return 'instance';
  return 'none';
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
    instance: () => fromInstanceMetadata(env, options),
    none: () =>
      Promise.reject(
        new AwsCredentialsError(
          "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, IRSA's AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN or EKS Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI (the instance role is off: AWS_EC2_METADATA_DISABLED)",
          'none',
        ),
      ),
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

/** The node's instance role from the instance metadata service: IMDSv2 with a session token, IMDSv1 if the token call is refused. */
async function fromInstanceMetadata(env: NodeJS.ProcessEnv, options: CredentialsOptions): Promise<AwsCredentials> {
  const source = 'instance';
  const base = env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? (env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === 'ipv6' ? 'http://[fd00:ec2::254]' : 'http://169.254.169.254');
  // The SDK's IMDS time-out: 1 s.
  const call = (method: string, path: string, headers: Record<string, string>) =>
    httpRequest(new URL(path, base), { method, headers, connectTimeoutMs: 1_000, idleTimeoutMs: 1_000, ...(options.agents ? { agents: options.agents } : {}) });
  const failed = (what: string, cause?: unknown) =>
    new AwsCredentialsError(`instance metadata at ${base}: ${what} (no other credentials are configured)`, source, { cause, retryable: true });
  try {
    // No token (refused, or no answer: a hop limit of 1 drops it before a pod) means IMDSv1, as the SDK falls back.
    const token = await call('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }).catch(() => undefined);
    if (token?.status === 400) throw failed('the session token call was refused (HTTP 400)');
    const headers: Record<string, string> = token?.status === 200 ? { 'x-aws-ec2-metadata-token': token.body } : {};
    const role = await call('GET', '/latest/meta-data/iam/security-credentials/', headers);
    const name = role.body.split('\n')[0]?.trim();
    if (role.status !== 200 || !name) throw failed(`no instance role (HTTP ${role.status})`);
    const answer = await call('GET', `/latest/meta-data/iam/security-credentials/${encodeURIComponent(name)}`, headers);
    const parsed = (answer.status === 200 ? JSON.parse(answer.body) : {}) as Record<string, unknown>;
    const { AccessKeyId, SecretAccessKey, Token, Expiration } = parsed;
    if (typeof AccessKeyId !== 'string' || typeof SecretAccessKey !== 'string') throw failed(`role ${name}: HTTP ${answer.status} without credentials`);
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      ...(typeof Token === 'string' ? { sessionToken: Token } : {}),
      ...(typeof Expiration === 'string' ? { expiration: new Date(Expiration) } : {}),
    };
  } catch (error) {
    throw error instanceof AwsCredentialsError ? error : failed((error as Error).message, error);
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
