import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWaitFigures, growingPasses } from '../../../bench/lib/create-waits.js';
import type { Deployment } from '../../../bench/lib/cost.js';
import type { WorkflowFigure } from '../../../bench/lib/format.js';
import type { Provisioner } from '../../../bench/lib/manifests.js';
import { summarize } from '../../../bench/lib/stats.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const deployment: Deployment = { memoryMb: {}, defaultMemoryMb: 256, alarms: [] };

/** A measured create as the bench records it: `transitions` states entered, `invocations` Lambda calls. */
const create = (provisioner: Provisioner, transitions: number, invocations: number): WorkflowFigure =>
  ({
    provisioner,
    scenario: 'create',
    transitions: summarize([transitions]),
    lambdaInvocations: summarize([invocations]),
    executions: summarize([1]),
    eventsPut: summarize([1]),
    workflowStarts: summarize([1]),
    invocationsByFunction: { step: invocations },
  }) as unknown as WorkflowFigure;

describe('bench: transitions and invocations per create with a 4-minute wait', () => {
  it('counts the growing EKS waits (5, 10, 20, then 30 s) until a check comes at or after the resource settles', () => {
    expect(growingPasses(5)).toBe(1);
    expect(growingPasses(6)).toBe(2);
    // 5 + 10 + 20 + 30 × 7 = 245 ≥ 240
    expect(growingPasses(240)).toBe(10);
  });

  it('adds one pass to the event-driven stack wait however long the stack takes, and a pass per interval to the EKS polls', () => {
    const figures = createWaitFigures(REPO, [create('eks-cf', 20, 8), create('eks-managed', 20, 8), create('eks-fargate', 20, 8)], deployment);
    const cfEvent = figures.find((f) => f.provisioner === 'eks-cf' && f.kind === 'event')!;
    expect(cfEvent.passes).toBe(1);
    expect(cfEvent.transitions.with - cfEvent.transitions.without).toBeLessThanOrEqual(3);
    // the callback Task and Check Stack Progress in the execution, eks-cf-stack-event outside it
    expect(cfEvent.invocations.with - cfEvent.invocations.without).toBe(3);

    const cfLost = figures.find((f) => f.provisioner === 'eks-cf' && f.kind === 'event lost')!;
    expect(cfLost.passes).toBeGreaterThan(1);

    for (const p of ['eks-managed', 'eks-fargate'] as const) {
      const f = figures.find((x) => x.provisioner === p)!;
      expect(f).toMatchObject({ kind: 'timer', waitState: 'Wait For EKS', passes: 10 });
      expect(f.transitions.with - f.transitions.without).toBe(30);
      expect(f.invocations.with - f.invocations.without).toBe(10);
      expect(f.usdPer1000.with).toBeGreaterThan(f.usdPer1000.without);
    }
    const managed = figures.find((x) => x.provisioner === 'eks-managed')!;
    expect(cfEvent.usdPer1000.with - cfEvent.usdPer1000.without).toBeLessThan(managed.usdPer1000.with - managed.usdPer1000.without);
  });
});
