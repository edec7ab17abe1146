// Workflow outcomes as CloudWatch metrics (EMF through Powertools Metrics), recorded when report-status writes a
// terminal report. Dimension sets: [service], [service, provisioner, operation, result] and
// [service, provisioner, result, reason], so the dashboard can show totals, results per provisioner, and failure
// reasons without a metric per group.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ReportStatusInput } from '../../shared/report-status.js';

const RESULTS: Partial<Record<ReportStatusInput['report']['phase'], string>> = {
  ready: 'Ready',
  failed: 'Failed',
  deleted: 'Deleted',
  superseded: 'Superseded',
};

/** The result a report ends its workflow with, or undefined while the workflow is still running. */
export function workflowResult(input: ReportStatusInput): { result: string; reason: string } | undefined {
  const result = RESULTS[input.report.phase];
  if (!result) return undefined;
  return { result, reason: input.report.phase === 'failed' ? input.report.reason : result };
}

/**
 * WorkflowResults (count) and WorkflowDuration (from the relay sending the change to this report, so it includes
 * EventBridge delivery and every wait in the workflow).
 */
export function recordWorkflowResult(metrics: Pick<Metrics, 'addDimensions' | 'addMetric'>, input: ReportStatusInput, now = Date.now()): boolean {
  const outcome = workflowResult(input);
  if (!outcome) return false;
  const { provisioner, operation, sentAt } = input.change;
  metrics.addDimensions({ provisioner, operation, result: outcome.result });
  metrics.addDimensions({ provisioner, result: outcome.result, reason: outcome.reason });
  metrics.addMetric('WorkflowResults', MetricUnit.Count, 1);
  const sent = Date.parse(sentAt);
  if (Number.isFinite(sent)) metrics.addMetric('WorkflowDuration', MetricUnit.Milliseconds, Math.max(0, now - sent));
  return true;
}
