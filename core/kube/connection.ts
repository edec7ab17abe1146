import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Everything needed to talk to one API server. */
export interface KubeConnection {
  server: string;
  caPem?: string;
  /** Called before each request, so rotating tokens (projected service account tokens, EKS tokens) stay fresh. */
  token?: () => string;
  certPem?: string;
  keyPem?: string;
  insecureSkipTlsVerify?: boolean;
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean } }[];
  users?: { name: string; user: { token?: string; tokenFile?: string; 'client-certificate'?: string; 'client-certificate-data'?: string; 'client-key'?: string; 'client-key-data'?: string } }[];
}

const fromBase64 = (data: string) => Buffer.from(data, 'base64').toString('utf8');

/** Reads a kubeconfig file: its current context, or the named one. Supports token, token file and client certs. */
export function connectionFromKubeconfig(path: string, contextName?: string): KubeConnection {
  const file = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const name = contextName ?? file['current-context'];
  const context = file.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new Error(`kubeconfig ${path} has no context ${name ?? '(no current-context)'}`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = file.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster) throw new Error(`kubeconfig ${path} has no cluster ${context.cluster}`);
  const read = (file?: string, data?: string) => (data ? fromBase64(data) : file ? readFileSync(file, 'utf8') : undefined);
  const connection: KubeConnection = { server: cluster.server.replace(/\/$/, '') };
  const ca = read(cluster['certificate-authority'], cluster['certificate-authority-data']);
  if (ca) connection.caPem = ca;
  if (cluster['insecure-skip-tls-verify']) connection.insecureSkipTlsVerify = true;
  if (user.token) connection.token = () => user.token!;
  else if (user.tokenFile) connection.token = () => readFileSync(user.tokenFile!, 'utf8').trim();
  const cert = read(user['client-certificate'], user['client-certificate-data']);
  const key = read(user['client-key'], user['client-key-data']);
  if (cert && key) Object.assign(connection, { certPem: cert, keyPem: key });
  return connection;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Inside a pod: the API server from the service environment, the projected (rotating) service account token. */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new Error('not running in a cluster: KUBERNETES_SERVICE_HOST is not set');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caPem: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`, 'utf8'),
    token: () => readFileSync(`${SERVICE_ACCOUNT_DIR}/token`, 'utf8').trim(),
  };
}

