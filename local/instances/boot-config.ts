// What an instance's boot agent takes from its user data to join a cluster, in one shape for all image families.
export type ImageFamily = 'al2023' | 'bottlerocket' | 'al2';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface BootConfig {
  family: ImageFamily;
  clusterName: string;
  /** AL2's bootstrap.sh may leave these out: it then asks DescribeCluster itself. */
  apiServerEndpoint?: string;
  /** Base64 of the cluster CA, as DescribeCluster's certificateAuthority.data. */
  certificateAuthority?: string;
  /** The cluster's service CIDR (AL2023 requires it; bootstrap.sh accepts it). */
  serviceCidr?: string;
  /** The cluster DNS address the kubelet is told (must lie in the service CIDR). */
  clusterDnsIp?: string;
  maxPods?: number;
  labels: Record<string, string>;
  taints: Taint[];
}

/** The boot agent could not use the user data (the instance boots, but its kubelet never starts). */
export class BootError extends Error {
  override name = 'BootError';
}

const EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function taintEffect(value: string, where: string): TaintEffect {
  if (!EFFECTS.includes(value)) throw new BootError(`${where}: taint effect "${value}" is not one of ${EFFECTS.join(', ')}`);
  return value as TaintEffect;
}

export function positiveInteger(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new BootError(`${where}: "${String(value)}" is not a positive integer`);
  return n;
}
