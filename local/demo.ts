import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { InstanceGroup } from '../core/spec/types.js';
import { kubectl } from './kubectl.js';
import type { SeededAccount } from './seed.js';
import { REPO_ROOT } from '../core/workflows/bindings.js';

export const SAMPLES = {
  eksCf: path.join(REPO_ROOT, 'test/fixtures/reference/eks-cf.yaml'),
  eksFargate: path.join(REPO_ROOT, 'test/fixtures/reference/eks-fargate.yaml'),
};

export interface DemoGroup {
  namespace: string;
  name: string;
  note: string;
}

/**
 * The reference eks-cf sample names a subnet, a security group and an AMI that exist in no account; the demo
 * swaps them for the seeded ones (and says so). The Fargate sample needs nothing but its cluster: it goes as written.
 */
export function demoEksCfManifest(account: SeededAccount): string {
  const sample = parse(readFileSync(SAMPLES.eksCf, 'utf8')) as InstanceGroup;
  const configuration = sample.spec['eks-cf']!.configuration;
  configuration.subnets = account.subnetIds;
  configuration.securityGroups = [account.securityGroupId];
  configuration.image = account.imageId;
  return stringify(sample);
}

export function applyDemo(kubeconfig: string, account: SeededAccount): DemoGroup[] {
  for (const namespace of ['demo-eks-cf', 'demo-fargate']) {
    kubectl(kubeconfig, ['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
  }
  kubectl(kubeconfig, ['apply', '-n', 'demo-eks-cf', '-f', '-'], demoEksCfManifest(account));
  kubectl(kubeconfig, ['apply', '-n', 'demo-fargate', '-f', SAMPLES.eksFargate]);
  return [
    {
      namespace: 'demo-eks-cf',
      name: 'hello-world',
      note: `the reference eks-cf sample, with its placeholder subnets, security group and AMI swapped for the seeded ${account.subnetIds.join(', ')}, ${account.securityGroupId} and ${account.imageId}`,
    },
    { namespace: 'demo-fargate', name: 'hello-world', note: 'the reference eks-fargate sample, exactly as written' },
  ];
}

export interface GroupState {
  namespace: string;
  name: string;
  state: string;
  reason?: string;
  message?: string;
  groupName?: string;
}

export function groupStates(kubeconfig: string): GroupState[] {
  const list = JSON.parse(kubectl(kubeconfig, ['get', 'instancegroups', '-A', '-o', 'json'])) as { items: InstanceGroup[] };
  return list.items.map((g) => {
    const ready = g.status?.conditions?.find((c) => c.type === 'Ready');
    return {
      namespace: g.metadata.namespace,
      name: g.metadata.name,
      state: g.status?.currentState ?? 'Pending',
      ...(ready?.reason ? { reason: ready.reason } : {}),
      ...(ready?.message ? { message: ready.message } : {}),
      ...(g.status?.activeScalingGroupName ? { groupName: g.status.activeScalingGroupName } : {}),
    };
  });
}

/** Polls until every named group is Ready or Error, reporting each state change once. */
export async function watchUntilSettled(
  kubeconfig: string,
  groups: { namespace: string; name: string }[],
  onChange: (state: GroupState) => void,
  timeoutMs = 120_000,
): Promise<GroupState[]> {
  const seen = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = groupStates(kubeconfig).filter((s) => groups.some((g) => g.namespace === s.namespace && g.name === s.name));
    for (const s of states) {
      const key = `${s.namespace}/${s.name}`;
      if (seen.get(key) !== s.state) {
        seen.set(key, s.state);
        onChange(s);
      }
    }
    if (states.length === groups.length && states.every((s) => s.state === 'Ready' || s.state === 'Error')) return states;
    if (Date.now() > deadline) throw new Error(`groups did not settle within ${timeoutMs / 1000}s: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
