// What one pass of a workflow's wait loop costs, read from its ASL: the Wait state, then the shortest way back to
// it (Check … Progress, then the Choice that sends it round again). Locally moto settles at once and no pass runs,
// so this is what AWS adds per poll interval while a resource is in progress.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Seconds?: number;
  SecondsPath?: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Choices?: { Next: string }[];
  Catch?: { Next: string }[];
}

export interface PollLoop {
  waitState: string;
  intervalS: number;
  /** States entered per pass (each one a billed transition). */
  transitions: number;
  /** Task (Lambda) states per pass. */
  invocations: number;
}

function successors(s: State): string[] {
  return [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)].filter((n): n is string => !!n);
}

/** Steady-state seconds between passes: a fixed Wait; a growing one (SecondsPath) at its 30 s ceiling; a callback
 *  Task (.waitForTaskToken) only when no event arrives, at its TimeoutSeconds. */
function pollInterval(state: State): number | undefined {
  if (state.Type === 'Wait' && typeof state.Seconds === 'number') return state.Seconds;
  if (state.Type === 'Wait' && state.SecondsPath) return 30;
  if (state.Type === 'Task' && state.Resource?.endsWith('.waitForTaskToken') && typeof state.TimeoutSeconds === 'number') return state.TimeoutSeconds;
  return undefined;
}

export function pollLoops(definition: { States: Record<string, State> }): PollLoop[] {
  const states = definition.States;
  const out: PollLoop[] = [];
  for (const [name, state] of Object.entries(states)) {
    const intervalS = pollInterval(state);
    if (intervalS === undefined) continue;
    // Breadth-first from the Wait state back to itself.
    const previous = new Map<string, string>();
    const queue = [name];
    let found = false;
    while (queue.length && !found) {
      const current = queue.shift()!;
      for (const next of successors(states[current]!)) {
        if (next === name) {
          previous.set(`${name}#end`, current);
          found = true;
          break;
        }
        if (!previous.has(next) && states[next]) {
          previous.set(next, current);
          queue.push(next);
        }
      }
    }
    if (!found) continue;
    const cycle: string[] = [];
    for (let at = previous.get(`${name}#end`)!; at !== name; at = previous.get(at)!) cycle.push(at);
    cycle.push(name);
    out.push({
      waitState: name,
      intervalS,
      transitions: cycle.length,
      invocations: cycle.filter((s) => states[s]!.Type === 'Task').length,
    });
  }
  return out;
}

export function pollLoopsOf(repoRoot: string, base: string): PollLoop[] {
  return pollLoops(JSON.parse(readFileSync(path.join(repoRoot, 'statemachines', `${base}.asl.json`), 'utf8')) as { States: Record<string, State> });
}
