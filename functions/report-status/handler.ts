import { clusterAccessFromEnv, type ClusterAccess } from '../../core/kube/access.js';
import { workflowStep } from '../shared/step.js';
import { reportStatus, type ReportStatusInput } from './report-status.js';

let clusterAccess: ClusterAccess | undefined;

export const handler = workflowStep('Report Status', (input: ReportStatusInput, { log }) =>
  reportStatus(input, { clusterAccess: (clusterAccess ??= clusterAccessFromEnv()), log }),
);
