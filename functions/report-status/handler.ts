import { clusterAccessFromEnv, type ClusterAccess } from '../../core/kube/access.js';
import { metrics } from '../shared/observability.js';
import { workflowStep } from '../shared/step.js';
import { recordWorkflowResult } from './metrics.js';
import { reportStatus, type ReportStatusInput } from './report-status.js';

let clusterAccess: ClusterAccess | undefined;

export const handler = workflowStep('Report Status', async (input: ReportStatusInput, { log }) => {
  const result = await reportStatus(input, { clusterAccess: (clusterAccess ??= clusterAccessFromEnv()), log });
  recordWorkflowResult(metrics, input);
  return result;
});
