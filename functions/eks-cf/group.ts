// eks-cf's view of the re-read InstanceGroup; the loading itself is functions/shared/group.ts.
import type { ClusterAccess } from '../../core/kube/access.js';
import { stackName, type GroupRef } from '../../core/names/index.js';
import type { EksCfSpec } from '../../core/spec/types.js';
import { lenientClusterName, loadGroup, normalizeFor, rawSpecOf, refOf, specForOutcome, type Outcome } from '../shared/group.js';
import type { WorkflowState } from '../shared/workflow-state.js';

export type { Outcome };

export interface GroupView {
  outcome: Outcome;
  latestGeneration: number;
  ref: GroupRef;
  stackName: string;
  spec: EksCfSpec;
}

export async function readGroup(state: WorkflowState, access: ClusterAccess): Promise<GroupView> {
  const loaded = await loadGroup(state, access);
  const raw = rawSpecOf(state, loaded);
  const spec = specForOutcome(
    state,
    loaded.outcome,
    () => normalizeFor(raw, state, 'eks-cf'),
    () => lenientSpec(raw, state),
  );
  const ref = refOf(state, spec.clusterName);
  return { outcome: loaded.outcome, latestGeneration: loaded.latestGeneration, ref, stackName: stackName(ref), spec };
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
    bootstrapArguments: '',
    ...(c.roleName && c.instanceProfileName
      ? { existingRole: { roleName: String(c.roleName), instanceProfileName: String(c.instanceProfileName) } }
      : {}),
    managedPolicies: [],
    metricsCollection: [],
    tags: {},
    strategy: { type: 'rollingUpdate', rollingUpdate: { maxBatchSize: 1, minInstancesInService: 0, minSuccessfulInstancesPercent: 100, pauseTime: 'PT5M', suspendProcesses: [], waitOnResourceSignals: false } },
  };
}
