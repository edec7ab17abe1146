import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { readFargateGroup } from '../eks-fargate/group.js';
import { lazy } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';
import type { WorkflowState } from '../shared/workflow-state.js';

const access = lazy(() => clusterAccessFromEnv());

/** Re-reads the InstanceGroup (recovering the selector shorthand kubectl apply drops) and decides whether to go on. */
export const handler = workflowStep('Read Instance Group', async (input: WorkflowState, { log }) => {
  const view = await readFargateGroup(input, access());
  log.info('instance group read', { outcome: view.outcome, latestGeneration: view.latestGeneration });
  return view;
});
