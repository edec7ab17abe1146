// From the samples of the run to the figures of the result file.
import { costPer1000, type ChangeCounts, type Deployment } from './cost.js';
import { WORKFLOW_SUMMARIES, type WorkflowFigure } from './format.js';
import { PROVISIONERS, SCENARIO_CHANGES, SCENARIOS, type Provisioner, type Scenario } from './manifests.js';
import { median, summarize } from './stats.js';
import type { Sample } from './workflows.js';

/** Summarised sample by sample; awsWrites is a list in a sample and is summarised by its length. */
const SUMMARISED = WORKFLOW_SUMMARIES.filter((k): k is Exclude<(typeof WORKFLOW_SUMMARIES)[number], 'awsWrites'> => k !== 'awsWrites');

export function scenarioChange(p: Provisioner, s: Scenario): string {
  if (s === 'create') return 'kubectl apply of a new group';
  if (s === 'delete') return 'kubectl delete';
  return SCENARIO_CHANGES[p][s];
}

/** The sample closest to the median wall time: the run whose details (functions called, final call) are shown. */
export function medianSample(samples: Sample[]): Sample {
  const m = median(samples.map((s) => s.wallMs));
  return [...samples].sort((a, b) => Math.abs(a.wallMs - m) - Math.abs(b.wallMs - m) || a.run - b.run)[0]!;
}

export function workflowFigures(samples: Sample[]): WorkflowFigure[] {
  const out: WorkflowFigure[] = [];
  for (const provisioner of PROVISIONERS) {
    for (const scenario of SCENARIOS) {
      const these = samples.filter((s) => s.provisioner === provisioner && s.scenario === scenario).sort((a, b) => a.run - b.run);
      if (!these.length) continue;
      const rep = medianSample(these);
      const summaries = Object.fromEntries(SUMMARISED.map((k) => [k, summarize(these.map((s) => s[k]))])) as Pick<WorkflowFigure, (typeof SUMMARISED)[number]>;
      out.push({
        provisioner,
        scenario,
        change: scenarioChange(provisioner, scenario),
        runs: these.length,
        ...summaries,
        awsWrites: summarize(these.map((s) => s.awsWrites.length)),
        invocationsByFunction: rep.invocationsByFunction,
        finalCall: rep.finalCall ?? '(none)',
        samples: these,
      });
    }
  }
  return out;
}

/** The counts cost is computed from: medians, with the function mix of the median run. */
export function changeCounts(w: WorkflowFigure): ChangeCounts {
  return {
    transitions: w.transitions.median,
    invocationsByFunction: w.invocationsByFunction,
    executions: w.executions.median,
    events: w.eventsPut.median,
    starts: w.workflowStarts.median,
  };
}

export function costFigures(workflows: WorkflowFigure[], deployment: Deployment) {
  return workflows.map((w) => ({ provisioner: w.provisioner, scenario: w.scenario, usd: costPer1000(changeCounts(w), deployment) }));
}
