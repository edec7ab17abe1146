// Bottlerocket reads TOML settings from user data (https://bottlerocket.dev/en/os/latest/#/api/settings/). It has no
// shell: CloudFormation signalling is one of its settings.
import { stringify } from 'smol-toml';
import { clusterDnsIp } from './cluster.js';
import type { BootInput } from './types.js';

export function bottlerocketSettings(input: BootInput): Record<string, unknown> {
  const { cluster, kubelet } = input;
  const taints: Record<string, string[]> = {};
  for (const t of kubelet.taints) (taints[t.key] ??= []).push(`${t.value ?? ''}:${t.effect}`);
  const kubernetes: Record<string, unknown> = {
    'cluster-name': cluster.name,
    'api-server': cluster.endpoint,
    'cluster-certificate': cluster.certificateAuthority,
    'cluster-dns-ip': clusterDnsIp(cluster.serviceCidr),
    ...(kubelet.maxPods !== undefined ? { 'max-pods': kubelet.maxPods } : {}),
    'node-labels': kubelet.labels,
    ...(kubelet.taints.length ? { 'node-taints': taints } : {}),
  };
  const settings: Record<string, unknown> = { kubernetes };
  if (input.signal) {
    settings.cloudformation = { 'should-signal': true, 'stack-name': input.signal.stackName, 'logical-resource-id': input.signal.resource };
  }
  return { settings };
}

export function bottlerocketUserData(input: BootInput): string {
  return `${stringify(bottlerocketSettings(input))}\n`;
}
