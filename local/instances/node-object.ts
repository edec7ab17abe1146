// The Node a kubelet registers for an EC2 instance: named after the instance's private DNS name, with the providerID
// the AWS cloud provider uses (aws:///<zone>/<instance-id>), the labels the kubelet sets itself (hostname, OS,
// architecture, instance type, zone, region) plus the ones the boot configuration asks for, the boot taints, and
// capacity from the instance type with max pods as the pods capacity.
import type { BootConfig } from './boot-config.js';
import type { InstanceTypeFacts } from './aws-facts.js';

export interface NodeFacts {
  name: string;
  instanceId: string;
  zone: string;
  region: string;
  instanceType: string;
  architecture: string;
  privateIp?: string;
  typeFacts?: InstanceTypeFacts;
}

export const providerId = (zone: string, instanceId: string) => `aws:///${zone}/${instanceId}`;

/** Instance ID from an AWS providerID, or undefined for other providers. */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  return /^aws:\/\/\/[^/]+\/(i-[0-9a-f]+)$/.exec(providerID ?? '')?.[1];
}

const KUBELET_DEFAULT_MAX_PODS = 110;

/** Max pods when the boot config names none: the ENI formula, capped as the EKS images cap it. */
export function defaultMaxPods(facts: InstanceTypeFacts | undefined): number {
  if (!facts?.eniMaxPods) return KUBELET_DEFAULT_MAX_PODS;
  return Math.min(facts.eniMaxPods, facts.vcpus > 30 ? 250 : 110);
}

const ARCH: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64', i386: '386' };

export function nodeObject(boot: BootConfig, facts: NodeFacts): Record<string, unknown> {
  const maxPods = boot.maxPods ?? defaultMaxPods(facts.typeFacts);
  const arch = ARCH[facts.architecture] ?? facts.architecture;
  const capacity = {
    cpu: String(facts.typeFacts?.vcpus ?? 2),
    memory: `${facts.typeFacts?.memoryMiB ?? 4096}Mi`,
    pods: String(maxPods),
    'ephemeral-storage': '20Gi',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: facts.name,
      labels: {
        ...boot.labels,
        'kubernetes.io/hostname': facts.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch,
        'node.kubernetes.io/instance-type': facts.instanceType,
        'topology.kubernetes.io/zone': facts.zone,
        'topology.kubernetes.io/region': facts.region,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      providerID: providerId(facts.zone, facts.instanceId),
      ...(boot.taints.length ? { taints: boot.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })) } : {}),
    },
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        ...(facts.privateIp ? [{ type: 'InternalIP', address: facts.privateIp }] : []),
        { type: 'InternalDNS', address: facts.name },
        { type: 'Hostname', address: facts.name },
      ],
      nodeInfo: {
        architecture: arch,
        operatingSystem: 'linux',
        osImage: { al2023: 'Amazon Linux 2023', bottlerocket: 'Bottlerocket OS', al2: 'Amazon Linux 2' }[boot.family],
        kernelVersion: '',
        containerRuntimeVersion: '',
        kubeletVersion: '',
        kubeProxyVersion: '',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}
