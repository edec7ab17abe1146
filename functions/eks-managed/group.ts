// eks-managed's view of the re-read InstanceGroup; the loading itself is functions/shared/group.ts.
import type { ClusterAccess } from '../../core/kube/access.js';
import type { GroupRef } from '../../core/names/index.js';
import type { EksManagedSpec, InstanceGroupStatus } from '../../core/spec/types.js';
import { lenientClusterName, loadGroup, normalizeFor, rawSpecOf, refOf, specForOutcome, type Outcome } from '../shared/group.js';
import type { WorkflowState } from '../shared/workflow-state.js';

export interface ManagedGroupView {
  outcome: Outcome;
  latestGeneration: number;
  ref: GroupRef;
  spec: EksManagedSpec;
  /** What earlier executions recorded in status. */
  recorded: Pick<InstanceGroupStatus, 'nodeGroupName' | 'nodesInstanceRoleArn'>;
}

function lenientManaged(raw: unknown, state: WorkflowState): EksManagedSpec {
  const section = (raw as { 'eks-managed'?: { configuration?: Record<string, unknown> } })?.['eks-managed'];
  const cfg = section?.configuration;
  return {
    provisioner: 'eks-managed',
    clusterName: lenientClusterName(cfg, state),
    minSize: 0,
    maxSize: 0,
    subnets: [],
    ...(typeof cfg?.nodeRole === 'string' ? { nodeRoleArn: cfg.nodeRole } : {}),
    instanceTypes: [],
    diskSize: 0,
    capacityType: 'ON_DEMAND',
    labels: {},
    taints: [],
    tags: {},
    replace: false,
  };
}

export async function readManagedGroup(state: WorkflowState, access: ClusterAccess): Promise<ManagedGroupView> {
  const loaded = await loadGroup(state, access);
  const raw = rawSpecOf(state, loaded);
  const spec = specForOutcome(
    state,
    loaded.outcome,
    () => normalizeFor(raw, state, 'eks-managed'),
    () => lenientManaged(raw, state),
  );
  const status = loaded.object?.status;
  return {
    outcome: loaded.outcome,
    latestGeneration: loaded.latestGeneration,
    ref: refOf(state, spec.clusterName),
    spec,
    recorded: {
      ...(status?.nodeGroupName ? { nodeGroupName: status.nodeGroupName } : {}),
      ...(status?.nodesInstanceRoleArn ? { nodesInstanceRoleArn: status.nodesInstanceRoleArn } : {}),
    },
  };
}
