// The soak's final audit, against what moto holds: every group left in the cluster is Ready at its latest
// generation and AWS has what its spec says; every deleted group left nothing; nothing is owned twice; nothing is
// still Running.
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DescribeFargateProfileCommand, DescribeNodegroupCommand, EKSClient, ListFargateProfilesCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { awsClientConfig } from '../../../core/aws/config.js';
import { InstanceGroupApi } from '../../../core/kube/instancegroups.js';
import { OWNERSHIP_TAGS } from '../../../core/names/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import type { Op } from './plan.js';

export interface AuditFinding {
  group: string;
  problem: string;
}

export interface Audit {
  lost: AuditFinding[];
  leaked: AuditFinding[];
  duplicates: AuditFinding[];
  stuckRunning: AuditFinding[];
}

export interface AuditInput {
  api: InstanceGroupApi;
  namespace: string;
  present: Map<string, Op>;
  deleted: Set<string>;
  clusters: { nodes: string; fargate: string };
  runningExecutions: () => Promise<string[]>;
}

const owner = (tags: Record<string, string> | undefined, namespace: string) =>
  tags?.[OWNERSHIP_TAGS.namespace] === namespace ? tags[OWNERSHIP_TAGS.name] : undefined;

function sectionOf(group: InstanceGroup): { maxSize?: number; fargateProfileName?: string } {
  return ((group.spec as unknown as Record<string, unknown>)[group.spec.provisioner] ?? {}) as { maxSize?: number };
}

export async function audit(input: AuditInput): Promise<Audit> {
  const config = awsClientConfig();
  const cf = new CloudFormationClient(config);
  const eks = new EKSClient(config);
  const out: Audit = { lost: [], leaked: [], duplicates: [], stuckRunning: [] };
  try {
    const { items } = await input.api.list(input.namespace);
    const live = new Map(items.map((g) => [g.metadata.name, g]));

    // What AWS holds, by owning group.
    const stacks = new Map<string, string[]>();
    let next: string | undefined;
    do {
      const page = await cf.send(new DescribeStacksCommand(next ? { NextToken: next } : {}));
      for (const s of page.Stacks ?? []) {
        if (s.StackStatus === 'DELETE_COMPLETE') continue;
        const name = owner(Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])), input.namespace);
        if (name) stacks.set(name, [...(stacks.get(name) ?? []), s.StackName ?? '']);
      }
      next = page.NextToken;
    } while (next);
    const nodegroups = new Map<string, string[]>();
    for (const ng of (await eks.send(new ListNodegroupsCommand({ clusterName: input.clusters.nodes }))).nodegroups ?? []) {
      const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName: input.clusters.nodes, nodegroupName: ng }));
      const name = owner(nodegroup?.tags, input.namespace);
      if (name && nodegroup?.status !== 'DELETING') nodegroups.set(name, [...(nodegroups.get(name) ?? []), ng]);
    }
    const profiles = new Map<string, string[]>();
    for (const p of (await eks.send(new ListFargateProfilesCommand({ clusterName: input.clusters.fargate }))).fargateProfileNames ?? []) {
      const name = /^bench-(soak-\d+)$/.exec(p)?.[1];
      if (name) profiles.set(name, [...(profiles.get(name) ?? []), p]);
    }

    for (const [kind, held] of [['stack', stacks], ['node group', nodegroups], ['Fargate profile', profiles]] as const) {
      for (const [group, names] of held) {
        if (!input.present.has(group)) out.leaked.push({ group, problem: `${kind} ${names.join(', ')} left behind` });
        if (names.length > 1) out.duplicates.push({ group, problem: `${names.length} ${kind}s: ${names.join(', ')}` });
      }
    }

    for (const group of input.deleted) if (live.has(group)) out.lost.push({ group, problem: 'deleted, yet the object is still there' });
    for (const [group, op] of input.present) {
      const g = live.get(group);
      if (!g) {
        out.lost.push({ group, problem: 'missing from the cluster' });
        continue;
      }
      const s = g.status;
      if (s?.lastExecution?.result === 'Running') out.stuckRunning.push({ group, problem: `execution ${s.lastExecution.name} still Running` });
      if (s?.currentState !== 'Ready' || s.observedGeneration !== g.metadata.generation) {
        out.lost.push({ group, problem: `status ${s?.currentState ?? 'none'} at generation ${s?.observedGeneration ?? '-'} of ${g.metadata.generation}` });
        continue;
      }
      const want = sectionOf(g).maxSize ?? op.maxSize;
      const has = await maxSizeInAws(op.provisioner, g, want, input, cf, eks);
      if (has !== want) out.lost.push({ group, problem: `AWS has maxSize ${has ?? 'nothing'}, the spec says ${want}` });
    }
    for (const arn of await input.runningExecutions()) out.stuckRunning.push({ group: arn.split(':').pop() ?? arn, problem: 'execution still RUNNING' });
  } finally {
    cf.destroy();
    eks.destroy();
  }
  return out;
}

async function maxSizeInAws(provisioner: string, g: InstanceGroup, want: number, input: AuditInput, cf: CloudFormationClient, eks: EKSClient): Promise<number | undefined> {
  const s = g.status ?? {};
  try {
    if (provisioner === 'eks-cf' && s.stackName) {
      const { TemplateBody } = await cf.send(new GetTemplateCommand({ StackName: s.stackName }));
      const resources = Object.values((JSON.parse(TemplateBody ?? '{}') as { Resources?: Record<string, { Type: string; Properties?: { MaxSize?: string } }> }).Resources ?? {});
      const asg = resources.find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
      return asg?.Properties?.MaxSize !== undefined ? Number(asg.Properties.MaxSize) : undefined;
    }
    if (provisioner === 'eks-managed' && s.nodeGroupName) {
      const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName: input.clusters.nodes, nodegroupName: s.nodeGroupName }));
      return nodegroup?.scalingConfig?.maxSize;
    }
    if (provisioner === 'eks-fargate' && s.fargateProfileName) {
      const { fargateProfile } = await eks.send(new DescribeFargateProfileCommand({ clusterName: input.clusters.fargate, fargateProfileName: s.fargateProfileName }));
      // Fargate has no size: a profile that is there and active is what the spec asks for.
      return fargateProfile?.status === 'ACTIVE' || fargateProfile?.status === 'CREATING' ? want : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
