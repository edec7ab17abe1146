// What start-workflow counts (EMF through Powertools Metrics): workflows started per provisioner and operation, and
// relay heartbeats (in total, which the "relay silent" alarm watches, and per cluster for the dashboard).
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { isInstanceGroupChange, type RelayHeartbeat } from '../../core/events/index.js';
import type { BatchOutcome, StartOutcome, StartWorkflowEvent } from './start.js';

type MetricsSink = Pick<Metrics, 'addDimensions' | 'addMetric'>;

/** RelayHeartbeats with [service] (a document of its own: the alarm's) and [service, cluster]. */
export function recordHeartbeat(metrics: MetricsSink & Pick<Metrics, 'singleMetric'>, heartbeat: RelayHeartbeat): void {
  metrics.singleMetric().addMetric('RelayHeartbeats', MetricUnit.Count, 1);
  metrics.addDimensions({ cluster: heartbeat.cluster.name });
  metrics.addMetric('RelayHeartbeats', MetricUnit.Count, 1);
}

/** WorkflowsStarted by provisioner, operation and whether this call started it or found it started. */
export function recordStart(metrics: MetricsSink, event: StartWorkflowEvent, outcome: StartOutcome | BatchOutcome): void {
  if ('outcomes' in outcome) {
    metrics.addMetric('WorkflowsStarted', MetricUnit.Count, outcome.outcomes.filter((o) => o.status === 'started').length);
    return;
  }
  const change: unknown = 'detail' in event ? event.detail : undefined;
  if (isInstanceGroupChange(change)) metrics.addDimensions({ provisioner: change.provisioner, operation: change.operation, status: outcome.status });
  metrics.addMetric('WorkflowsStarted', MetricUnit.Count, outcome.status === 'started' ? 1 : 0);
}
