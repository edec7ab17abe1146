// eks-cf's view of the re-read InstanceGroup; the loading itself is functions/shared/group.ts.
import type { ClusterAccess } from '../../core/kube/access.js';
import { stackName } from '../../core/names/index.js';
import { existingRoleOf } from '../../core/spec/normalize.js';
import type { EksCfSpec } from '../../core/spec/types.js';
import { lenientClusterName, readGroupFor, type GroupRead, type Outcome } from '../shared/group.js';
import type { WorkflowState } from '../shared/workflow-state.js';

export type { Outcome };

export interface GroupView extends GroupRead<EksCfSpec> {
  stackName: string;
}

export async function readGroup(state: WorkflowState, access: ClusterAccess): Promise<GroupView> {
  const { outcome, latestGeneration, ref, spec } = await readGroupFor(state, access, 'eks-cf', lenientSpec);
  return { outcome, latestGeneration, ref, stackName: stackName(ref), spec };
}

/** For a delete, a spec that no longer validates must not block cleanup: only the names matter. */
function lenientSpec(raw: unknown, state: WorkflowState): EksCfSpec {
  const cfg = (raw as { 'eks-cf'?: { minSize?: number; maxSize?: number; configuration?: Record<string, unknown> } })?.['eks-cf'];
  const c = cfg?.configuration ?? {};
  return {
    provisioner: 'eks-cf',
    clusterName: lenientClusterName(c, state),
    minSize: cfg?.minSize ?? 0,
    maxSize: cfg?.maxSize ?? 0,
    subnets: (c.subnets as string[]) ?? [],
    image: String(c.image ?? ''),
    instanceType: String(c.instanceType ?? ''),
    securityGroups: (c.securityGroups as string[]) ?? [],
    volSize: 0,
    volType: '',
    nodeLabels: {},
    taints: [],
    bootstrapArguments: '',
    metadataHopLimit: 1,
    ...(existingRoleOf(c) ? { existingRole: existingRoleOf(c)! } : {}),
    managedPolicies: [],
    metricsCollection: [],
    tags: {},
    strategy: { type: 'rollingUpdate', rollingUpdate: { maxBatchSize: 1, minInstancesInService: 0, minSuccessfulInstancesPercent: 100, pauseTime: 'PT5M', suspendProcesses: [], waitOnResourceSignals: false, maxUnavailable: 1, drainTimeoutSeconds: 900, drainTimeoutAction: 'stop' } },
  };
}
