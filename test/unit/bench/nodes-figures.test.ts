import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { eventsOfType, nodesFigure, rotationFigure, stateEntries, type NodesSample, type RotationSample } from '../../../bench/lib/nodes-figures.js';
import { checkNodeSections } from '../../../bench/lib/format.js';
import { nodeRows } from '../../../bench/lib/nodes-table.js';

const entered = (type: string, name: string) => ({ type, stateEnteredEventDetails: { name } }) as unknown as HistoryEvent;
const event = (type: string) => ({ type }) as unknown as HistoryEvent;

describe('stateEntries', () => {
  it('counts every entry of the named state over all histories, whatever the state type', () => {
    const a = [entered('TaskStateEntered', 'Check Nodes'), event('TaskStateExited'), entered('WaitStateEntered', 'Wait For Nodes'), entered('TaskStateEntered', 'Check Nodes')];
    const b = [entered('TaskStateEntered', 'Check Nodes'), entered('TaskStateEntered', 'Check Stack')];
    expect(stateEntries([a, b], 'Check Nodes')).toBe(3);
  });
  it('is 0 when the state never ran', () => {
    expect(stateEntries([[entered('TaskStateEntered', 'Check Stack')], []], 'Check Nodes')).toBe(0);
  });
});

describe('eventsOfType', () => {
  it('counts events of one type only', () => {
    expect(eventsOfType([[event('MapIterationStarted'), event('MapIterationSucceeded')], [event('MapIterationStarted')]], 'MapIterationStarted')).toBe(2);
  });
});

const nodesSample = (run: number, ms: number, polls: number): NodesSample => ({ run, nodes: 1, stackSettledToNodesReadyMs: ms, checkNodesPolls: polls, waitStatesMs: 10 * polls, wallMs: ms + 1000 });
const rotationSample = (run: number, wallMs: number, transitions: number, lambdaInvocations: number): RotationSample => ({
  run,
  nodes: 4,
  wallMs,
  transitions,
  lambdaInvocations,
  executions: 1,
  mapIterations: 4,
  replacementPolls: 20,
  drainPasses: 4,
  invocationsByFunction: { [`fn-${run}`]: lambdaInvocations },
});

describe('nodesFigure', () => {
  it('summarises the settle-to-NodesReady time and the polls over the runs', () => {
    const f = nodesFigure([nodesSample(1, 300, 2), nodesSample(2, 100, 1), nodesSample(3, 200, 3)]);
    expect(f).toMatchObject({ provisioner: 'eks-cf', runs: 3, nodes: 1 });
    expect(f.stackSettledToNodesReadyMs).toMatchObject({ median: 200, min: 100, max: 300 });
    expect(f.checkNodesPolls).toMatchObject({ median: 2, min: 1, max: 3 });
    expect(f.wallMs.median).toBe(1200);
    expect(f.waitStatesMs.median).toBe(20);
  });
  it('summarises the node-join row (last Node Ready → NodesReady True) only when every run measured it, and shows it', () => {
    const withJoin = (run: number, ms: number): NodesSample => ({ ...nodesSample(run, 300, 1), nodeReadyToNodesReadyMs: ms });
    const f = nodesFigure([withJoin(1, 400), withJoin(2, 600), withJoin(3, 500)]);
    expect(f.nodeReadyToNodesReadyMs).toMatchObject({ median: 500, min: 400, max: 600 });
    expect(nodeRows({ nodes: f })).toContainEqual(['nodes', 'eks-cf create, 1 node', 'last Node Ready → NodesReady True (event)', '500 ms', expect.stringMatching(/^p90 \d+ ms$/), '≤ 2000 ms']);
    expect(checkNodeSections({ nodes: JSON.parse(JSON.stringify(f)) })).toEqual([]);
    expect(nodesFigure([withJoin(1, 400), nodesSample(2, 300, 1)]).nodeReadyToNodesReadyMs).toBeUndefined();
  });
  it('refuses no samples, and runs of different sizes', () => {
    expect(() => nodesFigure([])).toThrow(/no samples/);
    expect(() => nodesFigure([nodesSample(1, 1, 1), { ...nodesSample(2, 1, 1), nodes: 2 }])).toThrow(/different node counts/);
  });
});

describe('rotationFigure', () => {
  it('divides the counts by the nodes rotated and keeps the by-function counts of the median run', () => {
    const f = rotationFigure([rotationSample(1, 90_000, 120, 40), rotationSample(2, 60_000, 100, 36), rotationSample(3, 70_000, 110, 38)]);
    expect(f.nodes).toBe(4);
    expect(f.transitionsPerNode).toMatchObject({ median: 27.5, min: 25, max: 30 });
    expect(f.lambdaInvocationsPerNode).toMatchObject({ median: 9.5, min: 9, max: 10 });
    expect(f.wallMs.median).toBe(70_000);
    expect(f.invocationsByFunction).toEqual({ 'fn-3': 38 });
    expect(f.replacementPolls.median).toBe(20);
  });
  it('produces a section that the format check accepts and table rows that name both figures', () => {
    const result = JSON.parse(JSON.stringify({ nodes: nodesFigure([nodesSample(1, 250, 2)]), rotation: rotationFigure([rotationSample(1, 60_000, 100, 36)]) }));
    expect(checkNodeSections(result)).toEqual([]);
    const rows = nodeRows(result).map((r) => r.join(' | '));
    expect(rows.some((r) => r.includes('stack CREATE_COMPLETE → NodesReady True') && r.includes('250 ms'))).toBe(true);
    expect(rows.some((r) => r.includes('per rotated node') && r.includes('25 · 9'))).toBe(true);
  });
  it('reports a malformed section by field', () => {
    expect(checkNodeSections({ rotation: { runs: 1, nodes: 4 } })).toContain('$.rotation.wallMs: expected a summary {n, median, min, max, p90}');
  });
});
