// Re-reading the InstanceGroup at the start of a workflow, and the identity every AWS name derives from.
import { InvalidSpecError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { stackName, type GroupRef } from '../../core/names/index.js';
import { specOf } from '../../core/spec/from-object.js';
import { normalizeSpec } from '../../core/spec/normalize.js';
import type { EksCfSpec, InstanceGroup } from '../../core/spec/types.js';
import type { WorkflowState } from '../shared/workflow-state.js';

/**
 * What the first step found:
 * - current: the object is at the change's generation (or the change is a delete of this object): go on;
 * - superseded: a newer generation exists; its own execution applies it;
 * - deleting: an apply for an object that is being deleted; the delete workflow owns it now;
 * - gone: the object no longer exists or was recreated under the same name (another uid);
 * - not-deleting: a delete for an object that is not being deleted (a stale event).
 */
export type Outcome = 'current' | 'superseded' | 'deleting' | 'gone' | 'not-deleting';

export interface GroupView {
  outcome: Outcome;
  latestGeneration: number;
  ref: GroupRef;
  stackName: string;
  spec: EksCfSpec;
}

export function refOf(state: WorkflowState, spec: EksCfSpec): GroupRef {
  return { clusterName: spec.clusterName, namespace: state.change.group.namespace, name: state.change.group.name };
}

function normalizeEksCf(raw: unknown, state: WorkflowState): EksCfSpec {
  const spec = normalizeSpec(raw, state.change.cluster.defaults ?? {});
  if (spec.provisioner !== 'eks-cf') {
    throw new InvalidSpecError([{ field: 'spec.provisioner', message: `is ${spec.provisioner}; this workflow handles eks-cf` }]);
  }
  return spec;
}

export async function readGroup(state: WorkflowState, access: ClusterAccess): Promise<GroupView> {
  const { change } = state;
  const api = new InstanceGroupApi(await access.connect(change.cluster.name));
  const found = await api.get(change.group);
  const object: InstanceGroup | undefined = found && found.metadata.uid === change.group.uid ? found : undefined;
  const latestGeneration = object?.metadata.generation ?? change.group.generation;

  let outcome: Outcome;
  if (change.operation === 'delete') outcome = !object || object.metadata.deletionTimestamp ? 'current' : 'not-deleting';
  else if (!object) outcome = 'gone';
  else if (object.metadata.deletionTimestamp) outcome = 'deleting';
  else if (object.metadata.generation > change.group.generation) outcome = 'superseded';
  else outcome = 'current';

  // An apply works on the object's spec (the same generation as the change); a delete works on whatever the
  // object last said, or on the change's spec once the object is gone.
  const raw = object ? specOf(object) : change.spec;
  let spec: EksCfSpec;
  try {
    spec = normalizeEksCf(raw, state);
  } catch (error) {
    // Only an apply that is going ahead must stop on an invalid spec; a delete still cleans up.
    if (change.operation === 'apply' && outcome === 'current') throw error;
    spec = lenientSpec(raw, state);
  }
  const ref = refOf(state, spec);
  return { outcome, latestGeneration, ref, stackName: stackName(ref), spec };
}

/** For a delete, a spec that no longer validates must not block cleanup: only the names matter. */
function lenientSpec(raw: unknown, state: WorkflowState): EksCfSpec {
  const cfg = (raw as { 'eks-cf'?: { minSize?: number; maxSize?: number; configuration?: Record<string, unknown> } })?.['eks-cf'];
  const c = cfg?.configuration ?? {};
  return {
    provisioner: 'eks-cf',
    clusterName: (c.clusterName as string) ?? state.change.cluster.defaults?.clusterName ?? state.change.cluster.name,
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
