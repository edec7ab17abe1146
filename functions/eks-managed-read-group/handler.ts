import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { readManagedGroup } from '../eks-managed/group.js';
import { lazy } from '../eks-managed/state.js';
import { workflowStep } from '../shared/step.js';
import type { WorkflowState } from '../shared/workflow-state.js';

const access = lazy(() => clusterAccessFromEnv());

/** Re-reads the InstanceGroup and decides whether this execution still has work to do. */
export const handler = workflowStep('Read Instance Group', async (input: WorkflowState, { log }) => {
  const view = await readManagedGroup(input, access());
  log.info('instance group read', { outcome: view.outcome, latestGeneration: view.latestGeneration });
  return view;
});
