import { readGroup } from '../group.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';
import type { WorkflowState } from '../../shared/workflow-state.js';

/** Re-reads the InstanceGroup and decides whether this execution still has work to do. */
export const readInstanceGroupStep = async (input: WorkflowState, { log }: StepContext) => {
  const view = await readGroup(input, access());
  log.info('instance group read', { outcome: view.outcome, latestGeneration: view.latestGeneration, stackName: view.stackName });
  return view;
};
