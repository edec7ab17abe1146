import { readFargateGroup } from '../group.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';
import type { WorkflowState } from '../../shared/workflow-state.js';

/** Re-reads the InstanceGroup (recovering the selector shorthand kubectl apply drops) and decides whether to go on. */
export const readInstanceGroupStep = async (input: WorkflowState, { log }: StepContext) => {
  const view = await readFargateGroup(input, access());
  log.info('instance group read', { outcome: view.outcome, latestGeneration: view.latestGeneration });
  return view;
};
