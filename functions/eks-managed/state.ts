// The shape of the eks-managed workflows' state as it grows from step to step.
import type { Report } from '../shared/report.js';
import type { WorkflowState } from '../shared/workflow-state.js';
import type { ManagedGroupView } from './group.js';
import type { NodeGroupProgress } from './nodegroups.js';
import type { NodeRole } from './node-role.js';
import type { NodeGroupDecision } from './plan.js';
import type { ClusterFacts } from '../shared/references.js';

/** What "Decide Next Change" returns: the decision, plus the loop's bookkeeping. */
export interface NodeGroupPlan extends Partial<Omit<NodeGroupDecision, 'action'>> {
  action: NodeGroupDecision['action'] | 'start' | 'superseded' | 'deleting' | 'gone' | 'await-earlier-applies';
  /** Seconds the delete waits out the fence (functions/shared/delete-fence.ts). */
  waitSeconds?: number;
  /** How many times the workflow has decided; bounds the loop. */
  pass: number;
  /** Every change made so far, in words. */
  history: string[];
  /** Ready message: the changes made, then how the node group stands. */
  message?: string;
  latestGeneration?: number;
  /** For the last decision (none, superseded): what the workflow reports before it ends. */
  report?: Report;
  /** The last in-place update sent, so the same update is never sent twice in a row (EKS may still be starting it). */
  sent?: string;
}

export interface EksManagedState extends WorkflowState {
  group: ManagedGroupView;
  references?: ClusterFacts;
  role?: NodeRole;
  plan: NodeGroupPlan;
  progress?: NodeGroupProgress;
}
