// What a node needs to know about its cluster to join it, read from DescribeCluster at apply time and handed to
// the (pure) renderers. Where an emulator leaves a field out, the value EKS would pick is used instead.
import type { Cluster } from '@aws-sdk/client-eks';
import { DEFAULT_AUTHENTICATION_MODE } from '../../shared/node-access.js';

export interface ClusterFacts {
  name: string;
  /** https://… API server endpoint. */
  endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  certificateAuthority: string;
  /** The Service IPv4 CIDR; kube-dns listens on its .10 address. */
  serviceCidr: string;
  /** Kubernetes minor version, e.g. "1.31": picks the AMI an image alias resolves to. */
  version: string;
  /** API, API_AND_CONFIG_MAP or CONFIG_MAP; how node roles are authorised. */
  authenticationMode: string;
}

/** EKS's own default when a cluster was created without a service CIDR and its VPC is not in 10.0.0.0/8. */
export const DEFAULT_SERVICE_CIDR = '10.100.0.0/16';

export function clusterFacts(cluster: Cluster): ClusterFacts {
  return {
    name: cluster.name ?? '',
    endpoint: cluster.endpoint ?? '',
    certificateAuthority: cluster.certificateAuthority?.data ?? '',
    serviceCidr: cluster.kubernetesNetworkConfig?.serviceIpv4Cidr ?? DEFAULT_SERVICE_CIDR,
    version: cluster.version ?? '',
    authenticationMode: cluster.accessConfig?.authenticationMode ?? DEFAULT_AUTHENTICATION_MODE,
  };
}

/** kube-dns's ClusterIP: the tenth address of the Service CIDR (10.100.0.10 for 10.100.0.0/16), as EKS sets it. */
export function clusterDnsIp(serviceCidr: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(serviceCidr);
  if (!m) throw new Error(`service CIDR ${serviceCidr} is not an IPv4 CIDR`);
  const [a, b, c, d, bits] = m.slice(1).map(Number) as [number, number, number, number, number];
  const base = (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
  const ip = (base + 10) >>> 0;
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** True when the cluster admits node roles through EKS access entries (API or API_AND_CONFIG_MAP). */
export function usesAccessEntries(facts: Pick<ClusterFacts, 'authenticationMode'>): boolean {
  return facts.authenticationMode.split('_AND_').includes('API');
}
