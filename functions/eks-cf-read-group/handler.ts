import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { readGroup } from '../eks-cf/group.js';
import { lazy } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';
import type { WorkflowState } from '../shared/workflow-state.js';

const access = lazy(() => clusterAccessFromEnv());

/** Re-reads the InstanceGroup and decides whether this execution still has work to do. */
export const handler = workflowStep('Read Instance Group', async (input: WorkflowState, { log }) => {
  const view = await readGroup(input, access());
  log.info('instance group read', { outcome: view.outcome, latestGeneration: view.latestGeneration, stackName: view.stackName });
  return view;
});
