// What `imctl replay <group>` should do, as a pure function of the object and its executions:
//   redrive  the failed execution's generation is still the object's and it stopped in a real step;
//   start    a new execution: of the newest generation when the object changed since (an older spec is never
//            applied), or a new attempt of the same generation when the workflow caught the failure and ended in
//            its Fail state (a redrive would only re-run that Fail state);
//   refuse   nothing sensible to do (still running, nothing failed, object gone, ...).
import { DETAIL_VERSION, type InstanceGroupChange, type Operation } from '../core/events/index.js';
import { executionName } from '../core/names/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { ExecutionInfo } from './lookup.js';

export type ReplayDecision =
  | { action: 'redrive'; execution: ExecutionInfo; reason: string }
  | { action: 'start'; replaces: ExecutionInfo; operation: Operation; generation: number; attempt: number; executionName: string; reason: string }
  | { action: 'refuse'; reason: string; execution?: ExecutionInfo };

const UNSUCCESSFUL = ['FAILED', 'TIMED_OUT', 'ABORTED'];

export function decideReplay(group: InstanceGroup | undefined, executions: ExecutionInfo[], key: { namespace: string; name: string }): ReplayDecision {
  const ref = `${key.namespace}/${key.name}`;
  if (!group) return { action: 'refuse', reason: `InstanceGroup ${ref} does not exist: there is nothing to replay` };
  const generation = group.metadata.generation;
  const operation: Operation = group.metadata.deletionTimestamp ? 'delete' : 'apply';
  const latest = executions[0];
  if (!latest) {
    return { action: 'refuse', reason: `no executions found for ${ref}: the relay starts one when the group changes (check that it runs and reaches EventBridge)` };
  }
  const running = executions.find((e) => e.status === 'RUNNING');
  if (running) return { action: 'refuse', execution: running, reason: `${running.name} is still running (generation ${running.generation}); wait for it to end` };
  if (!UNSUCCESSFUL.includes(latest.status)) {
    const behind =
      latest.generation < generation
        ? `; generation ${generation} has no execution yet: the relay sends it (check that it runs), or replay the archive with imctl replay --since`
        : '';
    return { action: 'refuse', execution: latest, reason: `the latest execution, ${latest.name}, ended ${latest.status}: there is no failed execution to replay${behind}` };
  }
  if (latest.generation > generation) {
    return { action: 'refuse', execution: latest, reason: `${latest.name} is for generation ${latest.generation}, newer than the object's ${generation}: refusing to guess` };
  }

  const nextAttempt = () =>
    1 + Math.max(0, ...executions.filter((e) => e.generation === generation && e.operation === operation).map((e) => e.attempt));
  const start = (reason: string): ReplayDecision => {
    const attempt = nextAttempt();
    return {
      action: 'start',
      replaces: latest,
      operation,
      generation,
      attempt,
      executionName: executionName({ namespace: key.namespace, name: key.name, uid: group.metadata.uid, generation, operation, attempt }),
      reason,
    };
  };

  if (latest.generation !== generation) {
    return start(
      `${latest.name} was for generation ${latest.generation}; the object is now at generation ${generation}, so a redrive would ` +
        `apply an older spec: starting a fresh ${operation} of generation ${generation} instead`,
    );
  }
  if (latest.operation !== operation) {
    return start(`${latest.name} was an ${latest.operation}; the object now needs a ${operation}: starting it for generation ${generation}`);
  }
  const where = latest.failedState ? ` in "${latest.failedState}"` : '';
  if (latest.endedInFailState) {
    return start(
      `generation ${generation} is unchanged, but the workflow caught the failure${where} and ended in its Fail state ` +
        `"${latest.lastState?.name ?? 'Fail'}": a redrive would only re-run that state, so a new attempt runs the workflow again from the start`,
    );
  }
  if (!latest.redrivable) {
    return start(`generation ${generation} is unchanged but ${latest.name} cannot be redriven (too old, or not redrivable): starting a new attempt`);
  }
  return {
    action: 'redrive',
    execution: latest,
    reason: `generation ${generation} is unchanged: redriving ${latest.name} from the step it stopped in${latest.lastState ? ` ("${latest.lastState.name}")` : ''}`,
  };
}

/** The change a fresh execution starts with: the object as it is now. */
export function changeFor(group: InstanceGroup, decision: Extract<ReplayDecision, { action: 'start' }>, cluster: InstanceGroupChange['cluster'], now: Date): InstanceGroupChange {
  const { metadata } = group;
  return {
    version: DETAIL_VERSION,
    cluster,
    group: { namespace: metadata.namespace, name: metadata.name, uid: metadata.uid, generation: metadata.generation, resourceVersion: metadata.resourceVersion },
    provisioner: group.spec.provisioner,
    operation: decision.operation,
    reason: decision.operation === 'delete' ? 'deleted' : 'resync',
    attempt: decision.attempt,
    spec: group.spec,
    sentAt: now.toISOString(),
  };
}
