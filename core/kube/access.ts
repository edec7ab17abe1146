import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { awsClient, awsClientConfig, awsRegion } from '../aws/config.js';
import { partitionOf } from '../aws/partition.js';
import { clusterArn, describeCluster, type ClusterIdentity } from '../events/index.js';
import { connectionFromKubeconfig } from './connection.js';
import { KubeRest, WORKFLOW_FORBIDDEN_RETRY } from './rest.js';

/**
 * How a workflow step reaches a cluster's API server. The cluster's identity (name, region, account) travels with
 * every event, so one deployment can serve several clusters.
 */
export interface ClusterAccess {
  connect(cluster: ClusterIdentity): Promise<KubeRest>;
}

const identityKey = (c: ClusterIdentity) => `${c.accountId ?? ''}/${c.region ?? ''}/${c.name}`;

/**
 * Local and test use: a cluster resolves to the kubeconfig context named by its EKS ARN (as `aws eks
 * update-kubeconfig` names it), else by its name. A kubeconfig with a single context serves every cluster (the
 * local control plane); with several, a cluster no context names is an error rather than a guess.
 */
export class KubeconfigAccess implements ClusterAccess {
  private readonly clients = new Map<string, KubeRest>();

  constructor(private readonly path: string) {}

  async connect(cluster: ClusterIdentity): Promise<KubeRest> {
    const key = identityKey(cluster);
    let client = this.clients.get(key);
    if (!client) {
      client = new KubeRest(connectionFromKubeconfig(this.path, this.contextFor(cluster)), undefined, WORKFLOW_FORBIDDEN_RETRY);
      this.clients.set(key, client);
    }
    return client;
  }

  private contextFor(cluster: ClusterIdentity): string | undefined {
    const file = parse(readFileSync(this.path, 'utf8')) as { contexts?: { name: string }[] };
    const contexts = (file.contexts ?? []).map((c) => c.name);
    const arn = cluster.region ? clusterArn(cluster, partitionOf(cluster.region)) : undefined;
    const named = [arn, cluster.name].find((name) => name && contexts.includes(name));
    if (named) return named;
    if (contexts.length === 1) return undefined;
    throw new Error(
      `kubeconfig ${this.path} has no context for cluster ${describeCluster(cluster)}: name one ${arn ? `${arn} or ` : ''}${cluster.name} (it has ${contexts.join(', ') || 'none'})`,
    );
  }
}

const TOKEN_TTL_MS = 10 * 60 * 1000;

/**
 * In AWS: the Lambda's IAM role authenticates to EKS with a presigned STS GetCallerIdentity token, in the
 * cluster's region. A cluster in another account is refused with a message: the Lambda's role has no access there.
 */
export class EksAccess implements ClusterAccess {
  private readonly cache = new Map<string, { client: KubeRest; expires: number }>();
  private readonly eks = new Map<string, EKSClient>();

  private eksIn(region: string): EKSClient {
    let client = this.eks.get(region);
    if (!client) this.eks.set(region, (client = awsClient(new EKSClient(awsClientConfig({ region })))));
    return client;
  }

  async connect(identity: ClusterIdentity): Promise<KubeRest> {
    const key = identityKey(identity);
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.client;
    const region = identity.region ?? awsRegion();
    const clusterName = identity.name;
    const { cluster } = await this.eksIn(region).send(new DescribeClusterCommand({ name: clusterName }));
    const account = cluster?.arn?.split(':')[4];
    if (identity.accountId && account && account !== identity.accountId) {
      throw new Error(
        `EKS cluster ${describeCluster(identity)} is not in this deployment's account (${account} has a cluster of that name): ` +
          'deploy instance-manager in the cluster\'s account, or fix the relay\'s CLUSTER_ACCOUNT_ID',
      );
    }
    if (!cluster?.endpoint || !cluster.certificateAuthority?.data) {
      throw new Error(`EKS cluster ${describeCluster(identity)} has no endpoint yet`);
    }
    const token = await eksToken(clusterName, region);
    const client = new KubeRest(
      {
        server: cluster.endpoint,
        caPem: Buffer.from(cluster.certificateAuthority.data, 'base64').toString('utf8'),
        token: () => token,
      },
      undefined,
      WORKFLOW_FORBIDDEN_RETRY,
    );
    cached?.client.close();
    // A 401 means the token expired early (clock skew, a long step): forget this client, so the retry signs anew.
    const send = client.request.bind(client);
    client.request = (async (...args: Parameters<KubeRest['request']>) => {
      try {
        return await send(...args);
      } catch (error) {
        if ((error as { code?: unknown }).code === 401 && this.cache.get(key)?.client === client) this.cache.delete(key);
        throw error;
      }
    }) as KubeRest['request'];
    this.cache.set(key, { client, expires: Date.now() + TOKEN_TTL_MS });
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

/**
 * For the steps that edit kube-system/aws-auth (map and unmap node roles), which alone hold the node-access rights
 * (infra/k8s/workflows-rbac.yaml). In AWS their own IAM roles carry that identity; locally NODE_ACCESS_KUBECONFIG
 * names the kubeconfig of the node-access identity (KUBECONFIG when unset).
 */
export function nodeAccessFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterAccess {
  return clusterAccessFromEnv(env.NODE_ACCESS_KUBECONFIG ? { ...env, KUBECONFIG: env.NODE_ACCESS_KUBECONFIG } : env);
}

/** CLUSTER_ACCESS=kubeconfig (with KUBECONFIG) locally; eks (the default) in AWS. */
export function clusterAccessFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterAccess {
  if ((env.CLUSTER_ACCESS ?? 'eks') === 'kubeconfig') {
    if (!env.KUBECONFIG) throw new Error('CLUSTER_ACCESS=kubeconfig needs KUBECONFIG to point at a kubeconfig file');
    return new KubeconfigAccess(env.KUBECONFIG);
  }
  return new EksAccess();
}
