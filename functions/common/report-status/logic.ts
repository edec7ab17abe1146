import { clusterAccess } from '../../kit/kube.js';
import { metrics } from '../../kit/observability.js';
import type { StepContext } from '../../kit/step.js';
import { recordWorkflowResult } from './metrics.js';
import { reportStatus, type ReportStatusInput } from '../../shared/report-status.js';

/** Writes the report onto the InstanceGroup and, for a report that ends the workflow, its result metrics. */
export const reportStatusStep = async (input: ReportStatusInput, { log }: StepContext) => {
  const result = await reportStatus(input, { clusterAccess: clusterAccess(), log });
  recordWorkflowResult(metrics, input);
  return result;
};
