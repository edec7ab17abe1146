// Checks a boot configuration against the cluster it names, as DescribeCluster describes it: the kubelet of a real
// instance would fail to reach or trust an API server that is not the cluster's, and nodeadm/bootstrap.sh would
// hand it a service CIDR and DNS address that don't exist. AL2's bootstrap.sh fills in a missing endpoint and CA from
// DescribeCluster itself (AWS's documented behaviour); the other families must carry them.
import { BlockList, isIPv4 } from 'node:net';
import type { Cluster } from '@aws-sdk/client-eks';
import { BootError, type BootConfig } from './boot-config.js';

const normaliseUrl = (url: string) => {
  try {
    const u = new URL(url.trim());
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.trim();
  }
};

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  if (!net || !isIPv4(ip) || !isIPv4(net)) return false;
  const list = new BlockList();
  list.addSubnet(net, Number(bits), 'ipv4');
  return list.check(ip, 'ipv4');
}

/** The boot configuration as the node would use it, or a BootError saying why the node cannot join the cluster. */
export function checkAgainstCluster(boot: BootConfig, cluster: Cluster | undefined): BootConfig {
  const name = boot.clusterName;
  if (!cluster) throw new BootError(`cluster "${name}" does not exist in this account and region (DescribeCluster)`);
  if (cluster.status !== 'ACTIVE') throw new BootError(`cluster "${name}" is ${cluster.status}, not ACTIVE`);
  const resolved: BootConfig = { ...boot };
  if (boot.family === 'al2') {
    resolved.apiServerEndpoint ??= cluster.endpoint;
    resolved.certificateAuthority ??= cluster.certificateAuthority?.data;
  }
  if (!resolved.apiServerEndpoint || normaliseUrl(resolved.apiServerEndpoint) !== normaliseUrl(cluster.endpoint ?? '')) {
    throw new BootError(`API server endpoint ${resolved.apiServerEndpoint ?? '(none)'} is not the endpoint of cluster "${name}" (${cluster.endpoint})`);
  }
  if (resolved.certificateAuthority?.trim() !== cluster.certificateAuthority?.data?.trim()) {
    throw new BootError(`the certificate authority is not cluster "${name}"'s: the kubelet would not trust its API server`);
  }
  const serviceCidr = cluster.kubernetesNetworkConfig?.serviceIpv4Cidr;
  if (resolved.serviceCidr && serviceCidr && resolved.serviceCidr !== serviceCidr) {
    throw new BootError(`service CIDR ${resolved.serviceCidr} is not cluster "${name}"'s (${serviceCidr})`);
  }
  if (resolved.clusterDnsIp && serviceCidr && !inCidr(resolved.clusterDnsIp, serviceCidr)) {
    throw new BootError(`cluster DNS address ${resolved.clusterDnsIp} is outside cluster "${name}"'s service CIDR ${serviceCidr}`);
  }
  return resolved;
}
