// When to forward: a pure function from an InstanceGroup (and why we are looking at it) to the change to send,
// or nothing. Status-only updates never produce a change, so the callback's own status writes cannot loop.
import { DETAIL_VERSION, type ChangeReason, type InstanceGroupChange, type Operation } from '../core/events/index.js';
import { FINALIZER } from '../core/names/index.js';
import type { ClusterDefaults, InstanceGroup } from '../core/spec/types.js';
import { EXECUTION_OVER_AFTER_MS, gaveUp } from '../core/status/retry.js';

/** A change before it is sent (sentAt is stamped by the publisher on every send). */
export type PendingChange = Omit<InstanceGroupChange, 'sentAt'>;

/**
 * watch: a watch event; only new generations and deletions are sent.
 * initial: the pass when this replica becomes leader (start-up or take-over), and
 * resync: the periodic pass; both also re-send generations that never reported and retryable failures.
 */
export type DecideMode = 'watch' | 'initial' | 'resync';

export interface ClusterInfo {
  name: string;
  region?: string;
  accountId?: string;
  defaults: ClusterDefaults;
}

type LastExecution = NonNullable<NonNullable<InstanceGroup['status']>['lastExecution']>;

/** The execution (if any) that reported on this generation and operation. */
function reportFor(group: InstanceGroup, operation: Operation): LastExecution | undefined {
  const last = group.status?.lastExecution;
  if (!last || last.generation !== group.metadata.generation) return undefined;
  // Executions written before `operation` was recorded count as apply.
  return (last.operation ?? 'apply') === operation ? last : undefined;
}

/**
 * Whether the last report is one a pass should follow with the next attempt: a retryable failure that has not used
 * up its attempts, or a Running report so old that its execution must have ended without reporting (timed out,
 * aborted, or failed before its failure report).
 */
function retryDue(group: InstanceGroup, report: LastExecution, now: number): boolean {
  if (report.result === 'Failed') return report.retryable === true && !gaveUp(report.attempt ?? 1);
  if (report.result !== 'Running') return false;
  const progressing = group.status?.conditions?.find((c) => c.type === 'Progressing' && c.status === 'True');
  const since = progressing?.lastTransitionTime ? Date.parse(progressing.lastTransitionTime) : NaN;
  return Number.isFinite(since) && now - since > EXECUTION_OVER_AFTER_MS;
}

export interface Decision {
  operation: Operation;
  reason: ChangeReason;
  attempt: number;
}

/** The bare decision: which operation, why, which attempt; undefined when there is nothing to do. */
export function decision(group: InstanceGroup, mode: DecideMode, now = Date.now()): Decision | undefined {
  const { metadata } = group;
  const periodic = mode !== 'watch';

  if (metadata.deletionTimestamp) {
    // Without our finalizer there is nothing of ours to clean up (or the delete workflow has finished).
    if (!metadata.finalizers?.includes(FINALIZER)) return undefined;
    const report = reportFor(group, 'delete');
    if (!report) return { operation: 'delete', reason: 'deleted', attempt: 1 };
    if (periodic && retryDue(group, report, now)) return { operation: 'delete', reason: 'resync', attempt: (report.attempt ?? 1) + 1 };
    return undefined;
  }

  const report = reportFor(group, 'apply');
  if (!report) {
    // In sync (observed, even if by something that left no lastExecution): nothing to do.
    if (group.status?.observedGeneration === metadata.generation) return undefined;
    const first = metadata.generation <= 1 && !group.status?.observedGeneration;
    const reason: ChangeReason = mode === 'resync' ? 'resync' : first ? 'created' : 'updated';
    return { operation: 'apply', reason, attempt: 1 };
  }
  // Held by the upgrade lock, and the annotation is gone: a new attempt of the same generation rotates the nodes.
  if (report.result === 'Succeeded' && heldButUnlocked(group)) {
    return { operation: 'apply', reason: 'updated', attempt: (report.attempt ?? 1) + 1 };
  }
  // Running: an execution owns this generation. Succeeded: done. Failed without retryable: needs a spec change or
  // an explicit replay. Superseded: a newer generation exists.
  if (periodic && retryDue(group, report, now)) return { operation: 'apply', reason: 'resync', attempt: (report.attempt ?? 1) + 1 };
  return undefined;
}

export const UPGRADE_LOCK_ANNOTATION = 'instancemgr.keikoproj.io/upgrade-locked';

/** The apply reported that the upgrade lock held a rotation, and the lock is no longer there. */
function heldButUnlocked(group: InstanceGroup): boolean {
  const held = group.status?.conditions?.some((c) => c.type === 'Degraded' && c.status === 'True' && c.reason === 'UpgradeHeld');
  const annotations = (group.metadata as { annotations?: Record<string, string> }).annotations;
  return Boolean(held) && annotations?.[UPGRADE_LOCK_ANNOTATION] !== 'true';
}

/** Object → the change to send, or nothing. */
export function decide(group: InstanceGroup, mode: DecideMode, cluster: ClusterInfo): PendingChange | undefined {
  const d = decision(group, mode);
  if (!d) return undefined;
  const { metadata } = group;
  return {
    version: DETAIL_VERSION,
    cluster: {
      name: cluster.name,
      ...(cluster.region ? { region: cluster.region } : {}),
      ...(cluster.accountId ? { accountId: cluster.accountId } : {}),
      defaults: cluster.defaults,
    },
    group: {
      namespace: metadata.namespace,
      name: metadata.name,
      uid: metadata.uid,
      generation: metadata.generation,
      resourceVersion: metadata.resourceVersion,
    },
    provisioner: group.spec.provisioner,
    operation: d.operation,
    reason: d.reason,
    attempt: d.attempt,
    spec: group.spec,
  };
}

/** What makes two sends the same execution downstream (core executionName is built from these). */
export function executionKey(change: Pick<PendingChange, 'group' | 'operation' | 'attempt'>): string {
  return `${change.group.uid}/${change.group.generation}/${change.operation}/${change.attempt}`;
}

export function hasFinalizer(group: InstanceGroup): boolean {
  return group.metadata.finalizers?.includes(FINALIZER) ?? false;
}
