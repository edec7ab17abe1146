// Issue 17: transitions and Lambda invocations per create, without a wait (moto settles the resource inside the
// create call, as measured) and with one that lasts a simulated 4 minutes, and what each costs per 1,000 creates.
//
// The "with" figure adds to the measured create what the state machine itself does while its resource is in
// progress for `settleS` seconds, read from the ASL and from the functions' own wait schedule:
// - eks-cf waits on a callback Task ("Wait For CloudFormation"): it is entered once, and the stack's CloudFormation
//   event hands the token back when the stack settles, however long that takes; the pass is the callback Task, Check
//   Stack Progress and the Choice, plus one invocation of eks-cf-stack-event (outside the execution). Without the
//   event, the Task's TimeoutSeconds fallback makes a pass every TimeoutSeconds instead (shown as "event lost").
// - eks-managed and eks-fargate poll: Wait For EKS (its seconds from functions/shared/wait-interval.ts: 5, 10, 20,
//   then 30 s), the Check … Progress Task and the Choice, once per interval until a check finds the resource settled.
// Simulated time counts the Wait seconds only (each check's own few hundred ms are left out).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitSecondsAfter } from '../../functions/shared/wait-interval.js';
import { costPer1000, type ChangeCounts, type Deployment } from './cost.js';
import { changeCounts } from './aggregate.js';
import { pollLoops } from './asl.js';
import type { WorkflowFigure } from './format.js';
import type { Provisioner } from './manifests.js';

export const SIMULATED_SETTLE_S = 240;

/** The wait on each provisioner's principal resource in its apply workflow. */
const RESOURCE_WAIT: Record<Provisioner, string> = {
  'eks-cf': 'Wait For CloudFormation',
  'eks-managed': 'Wait For EKS',
  'eks-fargate': 'Wait For EKS',
};
/** What resumes a callback wait from outside the execution: the stack's event, one Lambda invocation. */
const EVENT_HANDLER = 'eks-cf-stack-event';

export interface CreateWaitFigure {
  provisioner: Provisioner;
  waitState: string;
  kind: 'event' | 'event lost' | 'timer';
  settleS: number;
  /** Passes through the wait loop while the resource is in progress. */
  passes: number;
  transitions: { without: number; with: number };
  /** Lambda invocations per create: the execution's, plus start-workflow, plus the event handler where one runs. */
  invocations: { without: number; with: number };
  usdPer1000: { without: number; with: number };
}

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Seconds?: number;
  SecondsPath?: string;
}

/** Passes of a growing-interval loop until a check at or after `settleS` finds the resource settled. */
export function growingPasses(settleS: number): number {
  let elapsed = 0;
  let passes = 0;
  while (elapsed < settleS) elapsed += waitSecondsAfter(passes++);
  return passes;
}

function passesOf(state: AslState, settleS: number, eventArrives: boolean): number {
  if (state.Type === 'Task') return eventArrives ? 1 : Math.max(1, Math.ceil(settleS / (state.TimeoutSeconds ?? settleS)));
  if (state.Type === 'Wait' && state.SecondsPath) return growingPasses(settleS);
  if (state.Type === 'Wait' && typeof state.Seconds === 'number') return Math.ceil(settleS / state.Seconds);
  throw new Error(`${state.Type} is not a wait this figure knows how to count`);
}

const total = (c: ChangeCounts) => Object.values(c.invocationsByFunction).reduce((a, b) => a + b, 0) + c.starts;

export function createWaitFigures(repoRoot: string, workflows: WorkflowFigure[], deployment: Deployment, settleS = SIMULATED_SETTLE_S): CreateWaitFigure[] {
  const out: CreateWaitFigure[] = [];
  for (const w of workflows.filter((x) => x.scenario === 'create')) {
    const base = `${w.provisioner}-apply`;
    const definition = JSON.parse(readFileSync(path.join(repoRoot, 'statemachines', `${base}.asl.json`), 'utf8')) as { States: Record<string, AslState> };
    const waitState = RESOURCE_WAIT[w.provisioner];
    const state = definition.States[waitState];
    const loop = pollLoops(definition as never).find((l) => l.waitState === waitState);
    if (!state || !loop) throw new Error(`statemachines/${base}.asl.json: no wait loop through "${waitState}"; update RESOURCE_WAIT in bench/lib/create-waits.ts`);
    const callback = state.Type === 'Task';
    for (const eventArrives of callback ? [true, false] : [true]) {
      const passes = passesOf(state, settleS, eventArrives);
      const without = changeCounts(w);
      const added: Record<string, number> = { [`${base} wait loop`]: passes * loop.invocations };
      if (callback && eventArrives) added[EVENT_HANDLER] = 1;
      const withWait: ChangeCounts = {
        ...without,
        transitions: without.transitions + passes * loop.transitions,
        invocationsByFunction: { ...without.invocationsByFunction, ...added },
      };
      out.push({
        provisioner: w.provisioner,
        waitState,
        kind: callback ? (eventArrives ? 'event' : 'event lost') : 'timer',
        settleS,
        passes,
        transitions: { without: without.transitions, with: withWait.transitions },
        invocations: { without: total(without), with: total(withWait) },
        usdPer1000: { without: costPer1000(without, deployment).total, with: costPer1000(withWait, deployment).total },
      });
    }
  }
  return out;
}

const usd = (n: number) => `$${n.toFixed(n < 0.1 ? 4 : 2)}`;

export function createWaitsTable(figures: CreateWaitFigure[]): string {
  const lines = [
    `Per create: without a wait (as measured: moto settles at once) and with the resource settling ${figures[0]?.settleS ?? SIMULATED_SETTLE_S} simulated seconds after the create call`,
    '| provisioner | wait | ended by | passes | transitions without → with | Lambda invocations without → with | USD per 1,000 creates without → with |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.provisioner} | ${f.waitState} | ${f.kind} | ${f.passes} | ${f.transitions.without} → ${f.transitions.with} (+${f.transitions.with - f.transitions.without}) | ` +
        `${f.invocations.without} → ${f.invocations.with} (+${f.invocations.with - f.invocations.without}) | ${usd(f.usdPer1000.without)} → ${usd(f.usdPer1000.with)} |`,
    );
  }
  return lines.join('\n');
}
