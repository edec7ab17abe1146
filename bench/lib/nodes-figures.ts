// Pure aggregation for the node figures (issues 11 and 12): what a run of bench/lib/nodes.ts measured, summarised
// over the runs. No I/O here, so test/unit/bench/nodes-figures.test.ts can check it without a control plane.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { summarize, type Summary } from './stats.js';

/** How many times the executions entered the state `name` (each entry is one pass of that state). */
export function stateEntries(histories: readonly (readonly HistoryEvent[])[], name: string): number {
  let n = 0;
  for (const events of histories) {
    for (const e of events) if (String(e.type).endsWith('StateEntered') && e.stateEnteredEventDetails?.name === name) n += 1;
  }
  return n;
}

/** One eks-cf create: the stack settling in moto → the group's NodesReady condition True. */
export interface NodesSample {
  run: number;
  nodes: number;
  /** First DescribeStacks (any caller in this process) returning CREATE_COMPLETE → the watch shows NodesReady True. */
  stackSettledToNodesReadyMs: number;
  /** The group's last Node became Ready (the relay's node-ready event) → the watch shows NodesReady True (issue 17). */
  nodeReadyToNodesReadyMs?: number;
  /** Passes of the apply workflow's "Check Nodes" state. */
  checkNodesPolls: number;
  /** Time the execution spent in Wait states (locally each Wait is shortened to ~10 ms, so polls come fast). */
  waitStatesMs: number;
  /** kubectl apply → NodesReady True. */
  wallMs: number;
}

export interface NodesFigure {
  provisioner: 'eks-cf';
  runs: number;
  nodes: number;
  stackSettledToNodesReadyMs: Summary;
  /** When every run measured it. */
  nodeReadyToNodesReadyMs?: Summary;
  checkNodesPolls: Summary;
  waitStatesMs: Summary;
  wallMs: Summary;
}

/** One instance-type change of an eks-cf group: every node replaced by the "Rotate Outdated Nodes" Map. */
export interface RotationSample {
  run: number;
  nodes: number;
  /** kubectl apply of the change → Ready for its generation with NodesReady True. */
  wallMs: number;
  transitions: number;
  lambdaInvocations: number;
  executions: number;
  /** Iterations the Map ran (one per batch). */
  mapIterations: number;
  /** Passes of "Check Replacement Nodes" (waiting for the new nodes to join) and of "Cordon And Drain". */
  replacementPolls: number;
  drainPasses: number;
  invocationsByFunction: Record<string, number>;
}

export interface RotationFigure {
  provisioner: 'eks-cf';
  runs: number;
  nodes: number;
  wallMs: Summary;
  transitions: Summary;
  lambdaInvocations: Summary;
  transitionsPerNode: Summary;
  lambdaInvocationsPerNode: Summary;
  mapIterations: Summary;
  replacementPolls: Summary;
  drainPasses: Summary;
  /** Of the median-wall-time run. */
  invocationsByFunction: Record<string, number>;
}

function sameNodes(samples: readonly { nodes: number }[], what: string): number {
  const nodes = new Set(samples.map((s) => s.nodes));
  if (nodes.size !== 1) throw new Error(`${what}: the runs had different node counts (${[...nodes].join(', ')}); their figures do not combine`);
  return samples[0]!.nodes;
}

export function nodesFigure(samples: readonly NodesSample[]): NodesFigure {
  if (!samples.length) throw new Error('nodesFigure: no samples');
  return {
    provisioner: 'eks-cf',
    runs: samples.length,
    nodes: sameNodes(samples, 'nodes'),
    stackSettledToNodesReadyMs: summarize(samples.map((s) => s.stackSettledToNodesReadyMs)),
    ...(samples.every((s) => s.nodeReadyToNodesReadyMs !== undefined) ? { nodeReadyToNodesReadyMs: summarize(samples.map((s) => s.nodeReadyToNodesReadyMs!)) } : {}),
    checkNodesPolls: summarize(samples.map((s) => s.checkNodesPolls)),
    waitStatesMs: summarize(samples.map((s) => s.waitStatesMs)),
    wallMs: summarize(samples.map((s) => s.wallMs)),
  };
}

export function rotationFigure(samples: readonly RotationSample[]): RotationFigure {
  if (!samples.length) throw new Error('rotationFigure: no samples');
  const nodes = sameNodes(samples, 'rotation');
  if (nodes < 1) throw new Error('rotation: no node was rotated');
  const byWall = [...samples].sort((a, b) => a.wallMs - b.wallMs);
  return {
    provisioner: 'eks-cf',
    runs: samples.length,
    nodes,
    wallMs: summarize(samples.map((s) => s.wallMs)),
    transitions: summarize(samples.map((s) => s.transitions)),
    lambdaInvocations: summarize(samples.map((s) => s.lambdaInvocations)),
    transitionsPerNode: summarize(samples.map((s) => s.transitions / nodes)),
    lambdaInvocationsPerNode: summarize(samples.map((s) => s.lambdaInvocations / nodes)),
    mapIterations: summarize(samples.map((s) => s.mapIterations)),
    replacementPolls: summarize(samples.map((s) => s.replacementPolls)),
    drainPasses: summarize(samples.map((s) => s.drainPasses)),
    invocationsByFunction: byWall[Math.floor((byWall.length - 1) / 2)]!.invocationsByFunction,
  };
}

/** How many events of `type` the histories hold (e.g. MapIterationStarted: one per batch the Map ran). */
export function eventsOfType(histories: readonly (readonly HistoryEvent[])[], type: string): number {
  return histories.reduce((n, events) => n + events.filter((e) => String(e.type) === type).length, 0);
}
