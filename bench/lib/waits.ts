// How each wait in the workflows ended and how long it lasted, read from the executions' histories (issue 17). A
// callback wait (a `.waitForTaskToken` Task: eks-cf's "Wait For CloudFormation" and "Wait For Nodes To Join") ends
// one of four ways: the resource's own event handed the token back, the waiting function's own look found it
// already settled, the event reported a failed resource, or the fallback timeout fired. A timed Wait state (the growing EKS waits, the rotation's
// wait for replacements) ends by its timer; locally every Wait is shortened, so its length here is not AWS's.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import path from 'node:path';
import { listStates, readDefinitionFile, type AslState } from '../../local/stepfunctions/definition.js';
import { isTokenTask } from '../../local/stepfunctions/task-tokens.js';
import { summarize, type Summary } from './stats.js';

export type WaitEnd = 'event' | 'own look' | 'event: failed' | 'fallback' | 'timer' | 'other';

export interface WaitFigure {
  /** State machine base name (eks-cf-apply). */
  workflow: string;
  state: string;
  kind: 'callback' | 'timer';
  endedBy: WaitEnd;
  n: number;
  /** State entered → state exited, local time. */
  ms: Summary;
}

export interface ExecutionHistory {
  stateMachineArn: string;
  events: readonly HistoryEvent[];
}

const at = (e: HistoryEvent) => (e.timestamp ? new Date(e.timestamp).getTime() : 0);

/** The callback Tasks of a workflow and where each puts its result (`$.stackEvent` → `stackEvent`). */
export function callbackStates(repoRoot: string, base: string): Map<string, string | undefined> {
  const def = readDefinitionFile(path.join(repoRoot, 'statemachines', `${base}.asl.json`));
  const out = new Map<string, string | undefined>();
  for (const { name, state } of listStates(def)) {
    if (!isTokenTask(state)) continue;
    const resultPath = (state as AslState & { ResultPath?: string }).ResultPath;
    out.set(name, typeof resultPath === 'string' && /^\$\.[A-Za-z0-9_]+$/.test(resultPath) ? resultPath.slice(2) : undefined);
  }
  return out;
}

/** How a callback wait ended, from the value it left at its ResultPath. */
export function callbackEnd(result: unknown): WaitEnd {
  const r = (result ?? {}) as { seenBy?: string; Error?: string };
  if (r.seenBy === 'stack-event' || r.seenBy === 'node-event' || r.seenBy === 'event') return 'event';
  if (r.seenBy === 'await') return 'own look';
  if (r.Error === 'States.Timeout' || r.Error === 'States.HeartbeatTimeout') return 'fallback';
  if (r.Error === 'StackSettledInFailure') return 'event: failed';
  return 'other';
}

export function waitFigures(repoRoot: string, executions: Iterable<ExecutionHistory>, prefix = 'instance-manager-'): WaitFigure[] {
  const callbacks = new Map<string, Map<string, string | undefined>>();
  const samples = new Map<string, { workflow: string; state: string; kind: WaitFigure['kind']; endedBy: WaitEnd; ms: number[] }>();
  const add = (workflow: string, state: string, kind: WaitFigure['kind'], endedBy: WaitEnd, ms: number) => {
    const key = `${workflow}\u0000${state}\u0000${endedBy}`;
    const entry = samples.get(key) ?? { workflow, state, kind, endedBy, ms: [] };
    entry.ms.push(ms);
    samples.set(key, entry);
  };
  for (const execution of executions) {
    const workflow = execution.stateMachineArn.split(':stateMachine:').pop()!.replace(prefix, '');
    if (!callbacks.has(workflow)) {
      try {
        callbacks.set(workflow, callbackStates(repoRoot, workflow));
      } catch {
        callbacks.set(workflow, new Map());
      }
    }
    const tokenTasks = callbacks.get(workflow)!;
    const entered = new Map<string, number>();
    for (const e of execution.events) {
      const name = e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name;
      if (!name) continue;
      if (e.type === 'WaitStateEntered' || (e.type === 'TaskStateEntered' && tokenTasks.has(name))) entered.set(name, at(e));
      else if (e.type === 'WaitStateExited' && entered.has(name)) add(workflow, name, 'timer', 'timer', at(e) - entered.get(name)!);
      else if (e.type === 'TaskStateExited' && entered.has(name)) {
        const key = tokenTasks.get(name);
        let output: Record<string, unknown> = {};
        try {
          output = JSON.parse(e.stateExitedEventDetails?.output ?? '{}') as Record<string, unknown>;
        } catch {
          // an output that is not JSON says nothing about how the wait ended
        }
        add(workflow, name, 'callback', callbackEnd(key ? output[key] : undefined), at(e) - entered.get(name)!);
      }
      if (e.type?.endsWith('StateExited')) entered.delete(name);
    }
  }
  return [...samples.values()]
    .sort((a, b) => a.workflow.localeCompare(b.workflow) || a.state.localeCompare(b.state) || a.endedBy.localeCompare(b.endedBy))
    .map(({ ms, ...rest }) => ({ ...rest, n: ms.length, ms: summarize(ms) }));
}
