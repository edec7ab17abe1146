import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsClientConfig, awsRegion } from '../aws/config.js';
import { connectionFromKubeconfig } from './connection.js';
import { KubeRest } from './rest.js';

/**
 * How a workflow step reaches a cluster's API server. The cluster's name travels with every event, so one
 * deployment can serve several clusters.
 */
export interface ClusterAccess {
  connect(clusterName: string): Promise<KubeRest>;
}

/** Local and test use: every cluster name resolves to one kubeconfig file (or its named context, if present). */
export class KubeconfigAccess implements ClusterAccess {
  private readonly clients = new Map<string, KubeRest>();

  constructor(private readonly path: string) {}

  async connect(clusterName: string): Promise<KubeRest> {
    let client = this.clients.get(clusterName);
    if (!client) {
      let connection;
      try {
        connection = connectionFromKubeconfig(this.path, clusterName);
      } catch {
        connection = connectionFromKubeconfig(this.path);
      }
      client = new KubeRest(connection);
      this.clients.set(clusterName, client);
    }
    return client;
  }
}

const TOKEN_TTL_MS = 10 * 60 * 1000;

/** In AWS: the Lambda's IAM role authenticates to EKS with a presigned STS GetCallerIdentity token. */
export class EksAccess implements ClusterAccess {
  private readonly cache = new Map<string, { client: KubeRest; expires: number }>();
  private readonly eks = new EKSClient(awsClientConfig());

  async connect(clusterName: string): Promise<KubeRest> {
    const cached = this.cache.get(clusterName);
    if (cached && cached.expires > Date.now()) return cached.client;
    const { cluster } = await this.eks.send(new DescribeClusterCommand({ name: clusterName }));
    if (!cluster?.endpoint || !cluster.certificateAuthority?.data) {
      throw new Error(`EKS cluster ${clusterName} has no endpoint yet`);
    }
    const token = await eksToken(clusterName, awsRegion());
    const client = new KubeRest({
      server: cluster.endpoint,
      caPem: Buffer.from(cluster.certificateAuthority.data, 'base64').toString('utf8'),
      token: () => token,
    });
    cached?.client.close();
    // A 401 means the token expired early (clock skew, a long step): forget this client, so the retry signs anew.
    const send = client.request.bind(client);
    client.request = (async (...args: Parameters<KubeRest['request']>) => {
      try {
        return await send(...args);
      } catch (error) {
        if ((error as { code?: unknown }).code === 401 && this.cache.get(clusterName)?.client === client) this.cache.delete(clusterName);
        throw error;
      }
    }) as KubeRest['request'];
    this.cache.set(clusterName, { client, expires: Date.now() + TOKEN_TTL_MS });
    return client;
  }
}

export async function eksToken(clusterName: string, region: string): Promise<string> {
  const signer = new SignatureV4({ credentials: defaultProvider(), region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: `sts.${region}.amazonaws.com`,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: `sts.${region}.amazonaws.com`, 'x-k8s-aws-id': clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: 60 });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `https://${signed.hostname}${signed.path}?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

/** CLUSTER_ACCESS=kubeconfig (with KUBECONFIG) locally; eks (the default) in AWS. */
export function clusterAccessFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterAccess {
  if ((env.CLUSTER_ACCESS ?? 'eks') === 'kubeconfig') {
    if (!env.KUBECONFIG) throw new Error('CLUSTER_ACCESS=kubeconfig needs KUBECONFIG to point at a kubeconfig file');
    return new KubeconfigAccess(env.KUBECONFIG);
  }
  return new EksAccess();
}
