// The table rows of the node figures (issues 11 and 12), shared by the full table and `--only nodes,rotation`.
import type { NodesFigure, RotationFigure } from './nodes-figures.js';
import type { Summary } from './stats.js';

export type Row = [area: string, subject: string, figure: string, value: string, spread: string, target: string];

const ms = (v: number) => `${Math.round(v)}`;
const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
const spread = (x: Summary, f: (v: number) => string) => (x.min === x.max ? '' : `${f(x.min)}–${f(x.max)}`);
const count = (x: Summary, f: (v: number) => string = (v) => `${v}`) => (x.min === x.max ? f(x.median) : `${f(x.median)} (${f(x.min)}–${f(x.max)})`);
const one = (v: number) => (Number.isInteger(v) ? `${v}` : v.toFixed(1));

export function nodeRows(r: { nodes?: NodesFigure; rotation?: RotationFigure }): Row[] {
  const rows: Row[] = [];
  if (r.nodes) {
    const n = r.nodes;
    const subject = `eks-cf create, ${n.nodes} node${n.nodes === 1 ? '' : 's'}`;
    rows.push(['nodes', subject, 'stack CREATE_COMPLETE → NodesReady True', `${ms(n.stackSettledToNodesReadyMs.median)} ms`, spread(n.stackSettledToNodesReadyMs, (v) => `${ms(v)} ms`), '']);
    const join = n.nodeReadyToNodesReadyMs;
    if (join) rows.push(['nodes', subject, 'last Node Ready → NodesReady True (event)', `${ms(join.median)} ms`, `p90 ${ms(join.p90)} ms`, '≤ 2000 ms']);
    rows.push(['nodes', subject, '"Check Nodes" polls', count(n.checkNodesPolls), `in Wait states ${ms(n.waitStatesMs.median)} ms (shortened locally)`, '']);
    rows.push(['nodes', subject, 'kubectl apply → NodesReady True', s(n.wallMs.median), spread(n.wallMs, s), '']);
  }
  if (r.rotation) {
    const x = r.rotation;
    const subject = `eks-cf rotation, ${x.nodes} nodes`;
    rows.push(['rotation', subject, 'transitions · Lambda per rotated node', `${count(x.transitionsPerNode, one)} · ${count(x.lambdaInvocationsPerNode, one)}`, `total ${count(x.transitions)} · ${count(x.lambdaInvocations)}`, '']);
    rows.push(['rotation', subject, 'kubectl apply → all replaced, Ready', s(x.wallMs.median), spread(x.wallMs, s), '']);
    rows.push([
      'rotation',
      subject,
      'batches · replacement polls · drain passes',
      `${count(x.mapIterations)} · ${count(x.replacementPolls)} · ${count(x.drainPasses)}`,
      `check-replacements: ${x.invocationsByFunction['eks-cf-check-replacement-nodes'] ?? 0} of ${x.lambdaInvocations.median} invocations`,
      '',
    ]);
  }
  return rows;
}
