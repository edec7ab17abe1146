import type { InstanceGroupStatus } from '../schema/types.generated.js';
import { gaveUp, MAX_AUTOMATIC_ATTEMPTS } from './retry.js';

export const CURRENT_STATES = {
  init: 'Init',
  modifying: 'ReconcileModifying',
  ready: 'Ready',
  error: 'Error',
  deleting: 'Deleting',
  deleted: 'Deleted',
} as const;
export type CurrentState = (typeof CURRENT_STATES)[keyof typeof CURRENT_STATES];

export const CONDITION_TYPES = {
  ready: 'Ready',
  progressing: 'Progressing',
  degraded: 'Degraded',
  nodesReady: 'NodesReady',
} as const;
export type ConditionType = (typeof CONDITION_TYPES)[keyof typeof CONDITION_TYPES];

export type Condition = NonNullable<InstanceGroupStatus['conditions']>[number];
export type ExecutionResult = 'Running' | 'Succeeded' | 'Failed' | 'Superseded';

export interface ExecutionInfo {
  arn: string;
  name: string;
  consoleUrl: string;
  generation: number;
  operation: 'apply' | 'delete';
  attempt: number;
}

/**
 * What a workflow saw of the group's nodes: how many should exist, how many are registered and Ready, or that it
 * did not look (the node join check is off, or the provisioner has no nodes to count).
 */
export interface NodeCount {
  desired: number;
  ready: number;
  /** False when the check was skipped: NodesReady is then Unknown. */
  checked: boolean;
  message?: string;
}

/** What a workflow reports; the callback turns it into a status write. */
export type StatusReport =
  | { phase: 'started'; execution: ExecutionInfo; observed?: ObservedResources }
  | {
      phase: 'ready';
      execution: ExecutionInfo;
      observed: ObservedResources;
      message?: string;
      degraded?: { reason: string; message: string };
      nodes?: NodeCount;
    }
  | {
      phase: 'failed';
      execution: ExecutionInfo;
      reason: string;
      message: string;
      step?: string;
      retryable: boolean;
      observed?: ObservedResources;
      nodes?: NodeCount;
    }
  | { phase: 'deleting'; execution: ExecutionInfo }
  | { phase: 'superseded'; execution: ExecutionInfo; latestGeneration: number }
  | { phase: 'rotating'; execution: ExecutionInfo; rotation: RotationProgress };

/** Where a drain-aware rotation is (status.rotation), without the generation the report already carries. */
export type RotationProgress = Omit<NonNullable<InstanceGroupStatus['rotation']>, 'generation'>;

export interface ObservedResources {
  currentMin?: number;
  currentMax?: number;
  activeScalingGroupName?: string;
  activeLaunchTemplateName?: string;
  nodesInstanceRoleArn?: string;
  stackName?: string;
  nodeGroupName?: string;
  fargateProfileName?: string;
  podExecutionRoleArn?: string;
  lifecycle?: string;
  imageId?: string;
  imageFamily?: string;
  desiredNodes?: number;
  readyNodes?: number;
}

/** The NodesReady condition's status, reason and message for a node count. */
export function nodesReadyCondition(nodes: NodeCount): { status: Condition['status']; reason: string; message: string } {
  if (!nodes.checked) {
    return { status: 'Unknown', reason: 'NotChecked', message: nodes.message ?? 'The workflow did not check whether the nodes joined.' };
  }
  const counted = `${nodes.ready} of ${nodes.desired} nodes joined the cluster and are Ready.`;
  return nodes.ready >= nodes.desired
    ? { status: 'True', reason: 'NodesJoined', message: nodes.message ?? counted }
    : { status: 'False', reason: 'NodesNotJoined', message: nodes.message ?? counted };
}

function condition(type: ConditionType, status: Condition['status'], reason: string, message: string, generation: number, now: string, previous: Condition[] | undefined): Condition {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status ? (before.lastTransitionTime ?? now) : now;
  return { type, status, reason, message, lastTransitionTime, observedGeneration: generation };
}

/**
 * True when a report may be written over the current status. A report about an older generation, or an older
 * attempt of the same generation, never overwrites a newer one: executions can finish out of order.
 */
export function reportIsCurrent(current: InstanceGroupStatus | undefined, report: StatusReport): boolean {
  const last = current?.lastExecution;
  const generation = report.execution.generation;
  if ((current?.observedGeneration ?? 0) > generation) return false;
  if (!last || last.generation === undefined) return true;
  if (last.generation > generation) return false;
  if (last.generation < generation) return true;
  if (report.execution.operation === 'delete' && last.operation === 'apply') return true;
  if (report.execution.operation === 'apply' && last.operation === 'delete') return false;
  return (last.attempt ?? 1) <= report.execution.attempt;
}

/** The status after a report. Ready is derived from the phase here and nowhere else. */
export function statusAfter(current: InstanceGroupStatus | undefined, report: StatusReport, now: string): InstanceGroupStatus {
  const generation = report.execution.generation;
  const previous = current?.conditions;
  const observed = 'observed' in report ? (report.observed ?? {}) : {};
  const base: InstanceGroupStatus = { ...current, ...observed };
  const lastExecution = (result: ExecutionResult, retryable?: boolean) => ({
    ...report.execution,
    result,
    ...(retryable === undefined ? {} : { retryable }),
  });
  const cond = (type: ConditionType, status: Condition['status'], reason: string, message: string) =>
    condition(type, status, reason, message, generation, now, previous);
  /** NodesReady from this report's count, or the previous one kept as it was. */
  const nodesReady = (nodes: NodeCount | undefined): Condition[] => {
    if (!nodes) return previous?.filter((c) => c.type === 'NodesReady') ?? [];
    const { status, reason, message } = nodesReadyCondition(nodes);
    return [cond('NodesReady', status, reason, message)];
  };
  const counts = (nodes: NodeCount | undefined) => (nodes?.checked ? { desiredNodes: nodes.desired, readyNodes: nodes.ready } : {});

  // A rotation's progress stays while the execution runs or after it stops; a new start or Ready clears it.
  const { rotation: _rotation, ...withoutRotation } = base;
  switch (report.phase) {
    case 'rotating':
      return {
        ...base,
        currentState: CURRENT_STATES.modifying,
        rotation: { generation, ...report.rotation },
        conditions: [
          ...(previous?.filter((c) => c.type !== 'Progressing') ?? []),
          cond('Progressing', 'True', 'Rotating', report.rotation.message ?? 'Rotating the group\'s nodes.'),
        ],
      };
    case 'started':
      return {
        ...withoutRotation,
        currentState: CURRENT_STATES.modifying,
        lastExecution: lastExecution('Running'),
        conditions: [
          cond('Ready', current?.currentState === CURRENT_STATES.ready ? 'True' : 'False', 'Reconciling', `Applying generation ${generation}.`),
          cond('Progressing', 'True', 'Reconciling', `Execution ${report.execution.name} is applying generation ${generation}.`),
          ...(previous?.filter((c) => c.type === 'Degraded' || c.type === 'NodesReady') ?? []),
        ],
      };
    case 'ready':
      return {
        ...withoutRotation,
        ...counts(report.nodes),
        currentState: CURRENT_STATES.ready,
        observedGeneration: generation,
        lastExecution: lastExecution('Succeeded'),
        conditions: [
          cond('Ready', 'True', 'Provisioned', report.message ?? `Generation ${generation} is in place.`),
          cond('Progressing', 'False', 'Provisioned', 'No change in progress.'),
          report.degraded
            ? cond('Degraded', 'True', report.degraded.reason, report.degraded.message)
            : cond('Degraded', 'False', 'Healthy', 'AWS reports no health issues.'),
          ...nodesReady(report.nodes),
        ],
      };
    case 'failed': {
      if (report.retryable && gaveUp(report.execution.attempt)) {
        // The last automatic attempt: from here on only a person (replay, or a spec change) moves the group.
        report = {
          ...report,
          retryable: false,
          message: `${report.message} (gave up after ${MAX_AUTOMATIC_ATTEMPTS} attempts; fix the cause, then run imctl replay or change the spec)`,
        };
      }
      const where = report.step ? ` in step "${report.step}"` : '';
      return {
        ...base,
        ...counts(report.nodes),
        currentState: CURRENT_STATES.error,
        observedGeneration: generation,
        lastExecution: lastExecution('Failed', report.retryable),
        conditions: [
          cond('Ready', 'False', report.reason, `${report.message}${where}`),
          cond(
            'Progressing',
            'False',
            report.reason,
            report.retryable
              ? 'Failed after retries; the relay re-sends it at its next resync, or replay the execution.'
              : 'Stopped: fix the cause (see Ready), then change the spec or replay the execution.',
          ),
          ...(previous?.filter((c) => c.type === 'Degraded') ?? []),
          ...nodesReady(report.nodes),
        ],
      };
    }
    case 'deleting':
      return {
        ...base,
        currentState: CURRENT_STATES.deleting,
        lastExecution: lastExecution('Running'),
        conditions: [
          cond('Ready', 'False', 'Deleting', 'The group is being deleted.'),
          cond('Progressing', 'True', 'Deleting', `Execution ${report.execution.name} is deleting the AWS resources.`),
        ],
      };
    case 'superseded':
      return { ...base, lastExecution: lastExecution('Superseded') };
  }
}
