// Rewrites statemachines/*.asl.json so that a failing step fails the execution where it is (issue 14, defect 12):
// the catch-all that routed every failure through "<Step> Failed" → Explain Failure → Report Failure → Failed is
// removed, so a Redrive in the Step Functions console resumes at the step that failed. The failure still reaches
// the group's status through the rule on execution status changes (functions/report-execution-failure).
//
// Idempotent; run it after adding a Task written in the old style: npx tsx scripts/stop-at-failed-step.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface State {
  Type: string;
  Next?: string;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  [key: string]: unknown;
}

const FAILURE_CHAIN = new Set(['Explain Failure', 'Report Failure', 'Failed', 'Failed Without A Report']);

/** The machine without its failure-report chain; specific Catches (superseded, no longer wanted) stay. */
export function stopAtFailedStep(definition: { States: Record<string, State> }): { States: Record<string, State> } {
  const states = definition.States;
  const chain = new Set(
    Object.entries(states)
      .filter(([name, s]) => FAILURE_CHAIN.has(name) || (s.Type === 'Pass' && s.Next === 'Explain Failure'))
      .map(([name]) => name),
  );
  const out: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    if (chain.has(name)) continue;
    if (!state.Catch) {
      out[name] = state;
      continue;
    }
    const kept = state.Catch.filter((c) => !chain.has(c.Next));
    const { Catch: _dropped, ...rest } = state;
    out[name] = kept.length ? { ...rest, Catch: kept } : rest;
  }
  return { ...definition, States: out };
}

function main(): void {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'statemachines');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.asl.json'))) {
    const full = path.join(dir, file);
    const before = readFileSync(full, 'utf8');
    const after = `${JSON.stringify(stopAtFailedStep(JSON.parse(before)), null, 2)}\n`;
    if (after !== before) {
      writeFileSync(full, after);
      console.log(`rewrote statemachines/${file}`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
