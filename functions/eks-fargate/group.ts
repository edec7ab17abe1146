// Re-reading the InstanceGroup for the eks-fargate workflows (the loader is shared with eks-managed).
import type { ClusterAccess } from '../../core/kube/access.js';
import type { GroupRef } from '../../core/names/index.js';
import type { EksFargateSpec, InstanceGroupStatus } from '../../core/spec/types.js';
import { lenientClusterName, loadGroup, normalizeFor, rawSpecOf, refOf, specForOutcome, type Outcome } from '../shared/group.js';
import type { WorkflowState } from '../shared/workflow-state.js';

export interface FargateGroupView {
  outcome: Outcome;
  latestGeneration: number;
  ref: GroupRef;
  spec: EksFargateSpec;
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
  const loaded = await loadGroup(state, access);
  const raw = rawSpecOf(state, loaded);
  const spec = specForOutcome(
    state,
    loaded.outcome,
    () => normalizeFor(raw, state, 'eks-fargate'),
    () => lenientFargate(raw, state),
  );
  const status = loaded.object?.status;
  return {
    outcome: loaded.outcome,
    latestGeneration: loaded.latestGeneration,
    ref: refOf(state, spec.clusterName),
    spec,
    recorded: {
      ...(status?.fargateProfileName ? { fargateProfileName: status.fargateProfileName } : {}),
      ...(status?.podExecutionRoleArn ? { podExecutionRoleArn: status.podExecutionRoleArn } : {}),
    },
  };
}
