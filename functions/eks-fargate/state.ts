// The shape of the eks-fargate workflows' state as it grows from step to step.
import type { ClusterFacts } from '../shared/references.js';
import type { Report } from '../shared/report.js';
import type { WorkflowState } from '../shared/workflow-state.js';
import type { FargateGroupView } from './group.js';
import type { ProfileDecision } from './plan.js';
import type { PodExecutionRole } from './pod-role.js';
import type { ProfileProgress } from './profiles.js';

/** Something a delete could not find, reported in status before the object is released. */
export interface NotFoundReport {
  reason: 'ProfileNotFound' | 'ClusterNotFound' | 'ProfileNotOwned';
  message: string;
}

export interface ProfilePlan extends Partial<Omit<ProfileDecision, 'action'>> {
  action: ProfileDecision['action'] | 'start' | 'superseded' | 'deleting' | 'gone' | 'await-earlier-applies';
  /** Seconds the delete waits out the fence (functions/shared/delete-fence.ts). */
  waitSeconds?: number;
  pass: number;
  history: string[];
  message?: string;
  latestGeneration?: number;
  notFound?: NotFoundReport;
  /** For the last decision (none, superseded): what the workflow reports before it ends. */
  report?: Report;
}

export interface EksFargateState extends WorkflowState {
  group: FargateGroupView;
  references?: ClusterFacts;
  role?: PodExecutionRole;
  plan: ProfilePlan;
  progress?: ProfileProgress;
}
