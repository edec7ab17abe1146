// eks-managed's view of the re-read InstanceGroup; the loading itself is functions/shared/group.ts.
import type { ClusterAccess } from '../../core/kube/access.js';
import { groupNodeLabels } from '../../core/names/index.js';
import type { EksManagedSpec, InstanceGroupStatus } from '../../core/spec/types.js';
import { lenientClusterName, readGroupFor, type GroupRead } from '../shared/group.js';
import type { WorkflowState } from '../shared/workflow-state.js';

export interface ManagedGroupView extends GroupRead<EksManagedSpec> {
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
  // The rest is the view's outcome, latestGeneration, ref and spec, in that order.
  const { object, ...read } = await readGroupFor(state, access, 'eks-managed', lenientManaged);
  const status = object?.status;
  return {
    ...read,
    // Every node names its group, as eks-cf's do; EKS passes node group labels to kubelet.
    spec: { ...read.spec, labels: { ...read.spec.labels, ...groupNodeLabels(read.ref) } },
    recorded: {
      ...(status?.nodeGroupName ? { nodeGroupName: status.nodeGroupName } : {}),
      ...(status?.nodesInstanceRoleArn ? { nodesInstanceRoleArn: status.nodesInstanceRoleArn } : {}),
    },
  };
}
