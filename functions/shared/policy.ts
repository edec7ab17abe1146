// The pre-flight's half of the installation policy: a spec that slipped past admission (written before the policy
// was narrowed, or replayed from the archive) still cannot make the workflow act.
import { PolicyViolationError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { policyProblems, readPolicy } from '../../core/policy/index.js';
import type { NormalizedSpec } from '../../core/spec/types.js';
import type { WorkflowState } from './workflow-state.js';

/** Reads InstanceManagerPolicy "default" from the group's cluster and throws PolicyViolationError naming each rule. */
export async function enforceInstallationPolicy(state: Pick<WorkflowState, 'change'>, spec: NormalizedSpec, access: ClusterAccess): Promise<void> {
  const { change } = state;
  const policy = await readPolicy(await access.connect(change.cluster));
  const problems = policyProblems(spec, {
    policy,
    namespace: change.group.namespace,
    relayCluster: change.cluster.defaults?.clusterName ?? change.cluster.name,
  });
  if (problems.length) throw new PolicyViolationError(problems);
}
