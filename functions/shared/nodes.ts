// Whether a group's instances became Nodes: the Auto Scaling group says which instances should exist, the target
// cluster's Nodes say which registered (matched by providerID aws:///<zone>/<instance-id>) and which are Ready.
// Nodes found without the group's labels get them here, node-role.kubernetes.io/<group> included, because
// NodeRestriction forbids kubelet to set that one itself.
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { classifyError } from '../../core/errors/index.js';
import type { KubeRest } from '../../core/kube/rest.js';
import { groupNodeLabels, nodeRoleLabel, type GroupRef } from '../../core/names/index.js';

export interface GroupInstance {
  id: string;
  zone: string;
  lifecycle: string;
}

export interface KubeNode {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { providerID?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

export interface NodeCensus {
  desired: number;
  /** Instances that should become nodes: in service, or still pending. */
  instances: number;
  registered: number;
  ready: number;
  /** Names of the Nodes that were missing a group label and got it now. */
  labelled: string[];
}

/** Instances on their way out are not waited for. */
const COUNTED = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

export async function scalingGroupInstances(autoscaling: AutoScalingClient, name: string): Promise<{ desired: number; instances: GroupInstance[] }> {
  try {
    const { AutoScalingGroups } = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const group = AutoScalingGroups?.[0];
    if (!group) return { desired: 0, instances: [] };
    const instances = (group.Instances ?? [])
      .filter((i) => COUNTED.has(String(i.LifecycleState)))
      .map((i) => ({ id: i.InstanceId ?? '', zone: i.AvailabilityZone ?? '', lifecycle: String(i.LifecycleState) }));
    return { desired: group.DesiredCapacity ?? instances.length, instances };
  } catch (error) {
    throw classifyError(error, `Reading Auto Scaling group ${name}`);
  }
}

/** The instance ID in a providerID such as aws:///us-west-2a/i-0123 (the zone is optional in some clusters). */
export function instanceIdOf(providerId: string | undefined): string | undefined {
  const m = /^aws:\/\/\/(?:[^/]*\/)?(i-[0-9a-zA-Z]+)$/.exec(providerId ?? '');
  return m?.[1];
}

export const isReady = (node: KubeNode) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function listNodes(kube: KubeRest): Promise<KubeNode[]> {
  const nodes: KubeNode[] = [];
  let next: string | undefined;
  do {
    const page = await kube.get<{ items: KubeNode[]; metadata?: { continue?: string } }>('/api/v1/nodes', { limit: 500, continue: next });
    nodes.push(...page.items);
    next = page.metadata?.continue || undefined;
  } while (next);
  return nodes;
}

/** The labels a group's node must carry, and those of them `node` lacks. */
export function missingLabels(node: KubeNode, group: Pick<GroupRef, 'namespace' | 'name'>): Record<string, string> {
  const wanted = { ...groupNodeLabels(group), [nodeRoleLabel(group)]: '' };
  const have = node.metadata.labels ?? {};
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => have[k] !== v));
}

/** Counts the group's nodes in the cluster and labels those that lack the group's labels. */
export async function takeCensus(
  kube: KubeRest,
  group: Pick<GroupRef, 'namespace' | 'name'>,
  scaling: { desired: number; instances: GroupInstance[] },
): Promise<NodeCensus> {
  const ids = new Set(scaling.instances.map((i) => i.id));
  const ours = (await listNodes(kube)).filter((n) => ids.has(instanceIdOf(n.spec?.providerID) ?? ''));
  const labelled: string[] = [];
  for (const node of ours) {
    const labels = missingLabels(node, group);
    if (!Object.keys(labels).length) continue;
    await kube.request('PATCH', `/api/v1/nodes/${encodeURIComponent(node.metadata.name)}`, {
      body: { metadata: { labels } },
      contentType: 'application/merge-patch+json',
    });
    labelled.push(node.metadata.name);
  }
  return { desired: scaling.desired, instances: scaling.instances.length, registered: ours.length, ready: ours.filter(isReady).length, labelled };
}
