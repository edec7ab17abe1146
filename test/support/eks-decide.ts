// Inputs for the unit tests of Decide Next Change (functions/eks-managed/decide.ts, functions/eks-fargate/decide.ts):
// one execution of a group's change, and the InstanceGroup object the step re-reads from the API server.
import type { InstanceGroupChange } from '../../core/events/index.js';
import type { GroupRef } from '../../core/names/index.js';
import type { InstanceGroup, InstanceGroupSpec } from '../../core/spec/types.js';

export type Purpose = 'apply' | 'delete';

/**
 * What Decide Next Change gets in an execution of `ref` (owner uid-1) at `generation`, before its first pass: the
 * change, the group as loaded (still current, with `spec`) and the role the step before found.
 */
export function decideInput<Spec, Role>(
  ref: GroupRef,
  provisioner: 'eks-managed' | 'eks-fargate',
  purpose: Purpose,
  generation: number,
  { spec, role }: { spec: Spec; role: Role },
) {
  const change: InstanceGroupChange = {
    version: 1,
    cluster: { name: ref.clusterName, defaults: {} },
    group: { namespace: ref.namespace, name: ref.name, uid: 'uid-1', generation, resourceVersion: '1' },
    provisioner,
    operation: purpose,
    reason: purpose === 'delete' ? 'deleted' : 'updated',
    attempt: 1,
    spec: { provisioner },
    sentAt: '',
  };
  return {
    change,
    execution: { arn: 'arn:exec', name: 'run' },
    group: { outcome: 'current' as const, latestGeneration: generation, ref, spec, recorded: {} },
    role,
    plan: { action: 'start' as const, pass: 0, history: [] as string[] },
    purpose,
    maxPasses: 5,
  };
}

/** `ref`'s InstanceGroup object as the API server holds it: at `generation`, of owner `uid`. */
export function groupObject(ref: GroupRef, spec: InstanceGroupSpec, generation: number, uid = 'uid-1'): InstanceGroup {
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name: ref.name, namespace: ref.namespace, uid, generation, resourceVersion: '1' },
    spec,
  };
}
