// Writes a workflow's report onto its InstanceGroup: the Report Status step, the failure reporter and a rotation's
// progress reports all go through it.
import { backoffDelay, sleep } from '../../core/backoff/index.js';
import { RetryableError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi, httpStatusOf } from '../../core/kube/instancegroups.js';
import type { Logger } from '../../core/log/index.js';
import { targetClusterName } from '../../core/spec/normalize.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { reportIsCurrent, statusAfter, type StatusReport } from '../../core/status/index.js';
import type { Report } from './report.js';
import { executionInfo, type WorkflowState } from './workflow-state.js';

export interface ReportStatusInput extends WorkflowState {
  report: Report;
}

export interface ReportStatusResult {
  written: boolean;
  why?: 'object-gone' | 'recreated' | 'newer-status';
}

export interface ReportStatusDeps {
  clusterAccess: ClusterAccess;
  log: Logger;
  now?: () => Date;
  maxConflicts?: number;
}

/** Pauses between status writes that conflicted with another writer: 50 ms doubling to 2 s, ±50 %. */
const STATUS_CONFLICT_BACKOFF = { initialMs: 50, maxMs: 2000, jitter: 0.5 };

const EVENTS: Record<Report['phase'], { type: 'Normal' | 'Warning'; reason: string }> = {
  started: { type: 'Normal', reason: 'Reconciling' },
  ready: { type: 'Normal', reason: 'Ready' },
  failed: { type: 'Warning', reason: 'Failed' },
  deleting: { type: 'Normal', reason: 'Deleting' },
  deleted: { type: 'Normal', reason: 'Deleted' },
  superseded: { type: 'Normal', reason: 'Superseded' },
  rotating: { type: 'Normal', reason: 'Rotating' },
};

function eventMessage(report: Report, input: ReportStatusInput): string {
  const execution = input.execution.name;
  switch (report.phase) {
    case 'started':
      return `Execution ${execution} started for generation ${input.change.group.generation}.`;
    case 'ready':
      return report.message ?? `Generation ${input.change.group.generation} is in place.`;
    case 'failed':
      return `${report.message}${report.step ? ` (step "${report.step}")` : ''}`;
    case 'deleting':
      return `Execution ${execution} is deleting the AWS resources.`;
    case 'deleted':
      return 'AWS resources are deleted; releasing the object.';
    case 'superseded':
      return `Execution ${execution} stopped: generation ${report.latestGeneration} replaced generation ${input.change.group.generation}.`;
    case 'rotating':
      return [report.rotation.message, report.rotation.waitingFor && `waiting for ${report.rotation.waitingFor}`].filter(Boolean).join('; ');
  }
}

/**
 * Writes a workflow's report onto the InstanceGroup it concerns, through the status subresource. It never
 * overwrites the status of a newer generation or attempt, never touches an object recreated under the same name,
 * and retries on write conflicts.
 */
export async function reportStatus(input: ReportStatusInput, deps: ReportStatusDeps): Promise<ReportStatusResult> {
  const { change, report } = input;
  const kc = await deps.clusterAccess.connect(change.cluster);
  const api = new InstanceGroupApi(kc);
  const now = deps.now ?? (() => new Date());
  const maxConflicts = deps.maxConflicts ?? 6;

  for (let attempt = 0; ; attempt++) {
    const group = await api.get(change.group);
    if (!group) return { written: false, why: 'object-gone' };
    if (group.metadata.uid !== change.group.uid) return { written: false, why: 'recreated' };
    try {
      const written = await apply(api, group, input, now().toISOString());
      if (!written) {
        deps.log.info('status not written: a newer generation or attempt already reported', { phase: report.phase });
        return { written: false, why: 'newer-status' };
      }
      const event = EVENTS[report.phase];
      await api
        .recordEvent(group, event.type, report.phase === 'failed' ? report.reason : event.reason, eventMessage(report, input))
        .catch((error) => deps.log.warn('could not record a Kubernetes Event', { error }));
      if (report.phase === 'deleted') await api.removeFinalizer(group);
      return { written: true };
    } catch (error) {
      const status = httpStatusOf(error);
      if ((status === 409 || status === 422) && attempt < maxConflicts) {
        await sleep(backoffDelay(attempt + 1, STATUS_CONFLICT_BACKOFF));
        continue;
      }
      if (status === 409 || status === 422) throw new RetryableError(`status write kept conflicting: ${String(error)}`, { cause: error });
      throw error;
    }
  }
}

async function apply(api: InstanceGroupApi, group: InstanceGroup, input: ReportStatusInput, now: string): Promise<boolean> {
  const { report } = input;
  if (report.phase === 'deleted') return true;
  const execution = executionInfo(input);
  const statusReport = { ...report, execution } as StatusReport;
  if (!reportIsCurrent(group.status, statusReport)) return false;
  const clusterName = targetClusterName(group.spec, input.change.cluster);
  await api.replaceStatus(group, { ...statusAfter(group.status, statusReport, now), clusterName });
  return true;
}
