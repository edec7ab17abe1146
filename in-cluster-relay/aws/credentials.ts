// The relay's AWS credentials, found as the SDK's default chain finds them, in its order:
//   1. environment keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
//   2. IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN → STS AssumeRoleWithWebIdentity (an unsigned Query call);
//   3. EKS Pod Identity / ECS: AWS_CONTAINER_CREDENTIALS_FULL_URI (or _RELATIVE_URI) with the token of
//      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or AWS_CONTAINER_AUTHORIZATION_TOKEN);
//   4. anything else (shared config profiles, SSO, the instance's role): the SDK's own chain, loaded only then.
// Why 2 and 3 are hand-written (issue 17, measured with the bundle as the container runs it): the SDK's providers
// for them add ~12 MB (@aws-sdk/credential-provider-web-identity: it builds an STS client) and ~14 MB
// (@aws-sdk/credential-provider-http: it loads http2, web streams and the SDK's HTTP handler) of resident memory
// to a process whose budget is 64 MB; these two calls over node's https (loaded anyway) add nothing measurable.
// Both follow AWS's documented contracts; test/integration/relay-aws.test.ts runs 2 against moto's STS.
import fs from 'node:fs';
import { httpRequest, type HttpOptions } from './http.js';
import type { AwsCredentials } from './sigv4.js';

/** No credentials could be had from the source the environment names; `source` says which. */
export class AwsCredentialsError extends Error {
  constructor(
    message: string,
    readonly source: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options);
    this.name = 'AwsCredentialsError';
    this.retryable = options?.retryable ?? false;
  }
  readonly retryable: boolean;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;

export interface CredentialsOptions {
  region: string;
  env?: NodeJS.ProcessEnv;
  agents?: HttpOptions['agents'];
  /** Refresh temporary credentials this long before they expire (default 5 minutes). */
  refreshBeforeMs?: number;
  now?: () => number;
}

/** Which source the environment selects (the order above). */
export function credentialSource(env: NodeJS.ProcessEnv): 'environment' | 'web identity' | 'container' | 'sdk chain' {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'environment';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return 'web identity';
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return 'container';
  return 'sdk chain';
}

/** The provider for this environment, cached until shortly before the credentials expire. */
export function relayCredentials(options: CredentialsOptions): CredentialsProvider {
  const env = options.env ?? process.env;
  const source = credentialSource(env);
  const fetchOnce: CredentialsProvider =
    source === 'environment'
      ? async () => ({
          accessKeyId: env.AWS_ACCESS_KEY_ID!,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        })
      : source === 'web identity'
        ? () => fromWebIdentity(env, options)
        : source === 'container'
          ? () => fromContainer(env, options)
          : () => fromSdkChain(options.region);
  return cached(fetchOnce, options.refreshBeforeMs ?? 5 * 60_000, options.now ?? Date.now);
}

function cached(fetchOnce: CredentialsProvider, refreshBeforeMs: number, now: () => number): CredentialsProvider {
  let current: AwsCredentials | undefined;
  let inFlight: Promise<AwsCredentials> | undefined;
  return () => {
    if (current && (!current.expiration || current.expiration.getTime() - refreshBeforeMs > now())) return Promise.resolve(current);
    inFlight ??= fetchOnce().then(
      (got) => {
        current = got;
        inFlight = undefined;
        return got;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}

const STS_VERSION = '2011-06-15';

/** AssumeRoleWithWebIdentity (unsigned: the token is the proof), the token file read at every refresh (kubelet rotates it). */
async function fromWebIdentity(env: NodeJS.ProcessEnv, options: CredentialsOptions): Promise<AwsCredentials> {
  const source = 'web identity';
  let token: string;
  try {
    token = fs.readFileSync(env.AWS_WEB_IDENTITY_TOKEN_FILE!, 'utf8').trim();
  } catch (error) {
    throw new AwsCredentialsError(`cannot read AWS_WEB_IDENTITY_TOKEN_FILE ${env.AWS_WEB_IDENTITY_TOKEN_FILE}: ${(error as Error).message}`, source, { cause: error });
  }
  const endpoint = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL ?? `https://sts.${options.region}.${dnsSuffix(options.region)}`;
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: STS_VERSION,
    RoleArn: env.AWS_ROLE_ARN!,
    RoleSessionName: env.AWS_ROLE_SESSION_NAME || `instance-manager-relay-${Date.now()}`,
    WebIdentityToken: token,
  }).toString();
  const answer = await httpRequest(new URL('/', endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
    body,
    agents: options.agents,
    connectTimeoutMs: 3_000,
    timeoutMs: 10_000,
  }).catch((error: unknown) => {
    throw new AwsCredentialsError(`STS AssumeRoleWithWebIdentity at ${endpoint} failed: ${(error as Error).message}`, source, { cause: error, retryable: true });
  });
  if (answer.status !== 200) {
    const code = xmlValue(answer.body, 'Code') ?? `HTTP ${answer.status}`;
    throw new AwsCredentialsError(
      `STS AssumeRoleWithWebIdentity for ${env.AWS_ROLE_ARN} refused: ${code}: ${xmlValue(answer.body, 'Message') ?? ''} (check the role's trust policy for this service account)`.trim(),
      source,
      { retryable: answer.status >= 500 || code === 'IDPCommunicationError' || code === 'Throttling' },
    );
  }
  const accessKeyId = xmlValue(answer.body, 'AccessKeyId');
  const secretAccessKey = xmlValue(answer.body, 'SecretAccessKey');
  const sessionToken = xmlValue(answer.body, 'SessionToken');
  const expiration = xmlValue(answer.body, 'Expiration');
  if (!accessKeyId || !secretAccessKey || !sessionToken) {
    throw new AwsCredentialsError('STS AssumeRoleWithWebIdentity answered without credentials', source, { retryable: true });
  }
  return { accessKeyId, secretAccessKey, sessionToken, ...(expiration ? { expiration: new Date(expiration) } : {}) };
}

// Hosts the SDK accepts for plain-http container credentials: loopback, the ECS agent, the EKS Pod Identity Agent.
const CONTAINER_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]', 'localhost', '[::1]']);

async function fromContainer(env: NodeJS.ProcessEnv, options: CredentialsOptions): Promise<AwsCredentials> {
  const source = 'container';
  const url = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
    ? new URL(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, 'http://169.254.170.2')
    : new URL(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!);
  if (url.protocol === 'http:' && !CONTAINER_HOSTS.has(url.hostname) && !url.hostname.startsWith('127.')) {
    throw new AwsCredentialsError(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI ${url.href}: plain http is allowed only to loopback, the ECS agent or the EKS Pod Identity Agent; use https`,
      source,
    );
  }
  let token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  if (env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) {
    try {
      token = fs.readFileSync(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, 'utf8').trim();
    } catch (error) {
      throw new AwsCredentialsError(
        `cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}: ${(error as Error).message}`,
        source,
        { cause: error },
      );
    }
  }
  const answer = await httpRequest(url, {
    method: 'GET',
    headers: { accept: 'application/json', ...(token ? { authorization: token } : {}) },
    agents: options.agents,
    connectTimeoutMs: 1_000,
    timeoutMs: 5_000,
  }).catch((error: unknown) => {
    throw new AwsCredentialsError(`container credentials at ${url.href} failed: ${(error as Error).message}`, source, { cause: error, retryable: true });
  });
  let parsed: { AccessKeyId?: unknown; SecretAccessKey?: unknown; Token?: unknown; Expiration?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    // reported below
  }
  if (answer.status !== 200 || typeof parsed.AccessKeyId !== 'string' || typeof parsed.SecretAccessKey !== 'string') {
    throw new AwsCredentialsError(
      `container credentials at ${url.href} answered HTTP ${answer.status}${typeof parsed.Message === 'string' ? `: ${parsed.Message}` : ''}`,
      source,
      { retryable: answer.status >= 500 || answer.status === 429 },
    );
  }
  return {
    accessKeyId: parsed.AccessKeyId,
    secretAccessKey: parsed.SecretAccessKey,
    ...(typeof parsed.Token === 'string' ? { sessionToken: parsed.Token } : {}),
    ...(typeof parsed.Expiration === 'string' ? { expiration: new Date(parsed.Expiration) } : {}),
  };
}

async function fromSdkChain(region: string): Promise<AwsCredentials> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  try {
    return await defaultProvider({ clientConfig: { region } })();
  } catch (error) {
    throw new AwsCredentialsError(
      `no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, IRSA's AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, or EKS Pod Identity's AWS_CONTAINER_CREDENTIALS_FULL_URI): ${(error as Error).message}`,
      'sdk chain',
      { cause: error },
    );
  }
}

export function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function xmlValue(xml: string, tag: string): string | undefined {
  const m = xml.match(new RegExp(`<${tag}>([^<]*)</${tag}>`));
  return m?.[1]?.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}
