// Re-reading the InstanceGroup for the eks-fargate workflows (the loader is shared with eks-managed).
import type { ClusterAccess } from '../../core/kube/access.js';
import type { EksFargateSpec, InstanceGroupStatus } from '../../core/spec/types.js';
import { lenientClusterName, readGroupFor, type GroupRead } from '../shared/group.js';
import type { WorkflowState } from '../shared/workflow-state.js';

export interface FargateGroupView extends GroupRead<EksFargateSpec> {
  /** What earlier executions recorded in status. */
  recorded: Pick<InstanceGroupStatus, 'fargateProfileName' | 'podExecutionRoleArn'>;
}

function lenientFargate(raw: unknown, state: WorkflowState): EksFargateSpec {
  const section = (raw as { 'eks-fargate'?: Record<string, unknown> })?.['eks-fargate'];
  return {
    provisioner: 'eks-fargate',
    clusterName: lenientClusterName(section, state),
    subnets: [],
    ...(typeof section?.fargateProfileName === 'string' ? { profileName: section.fargateProfileName } : {}),
    ...(typeof section?.podExecutionRoleArn === 'string' ? { podExecutionRoleArn: section.podExecutionRoleArn } : {}),
    selectors: [],
    tags: {},
  };
}

export async function readFargateGroup(state: WorkflowState, access: ClusterAccess): Promise<FargateGroupView> {
  // The rest is the view's outcome, latestGeneration, ref and spec, in that order.
  const { object, ...read } = await readGroupFor(state, access, 'eks-fargate', lenientFargate);
  const status = object?.status;
  return {
    ...read,
    recorded: {
      ...(status?.fargateProfileName ? { fargateProfileName: status.fargateProfileName } : {}),
      ...(status?.podExecutionRoleArn ? { podExecutionRoleArn: status.podExecutionRoleArn } : {}),
    },
  };
}
