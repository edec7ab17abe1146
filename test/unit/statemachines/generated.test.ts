// The state machines are generated from statemachines/src: the checked-in ASL is what the generator writes, every
// error name in it is one Step Functions, Lambda or core/errors defines, and Retry and Catch follow the classes.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as errors from '../../../core/errors/index.js';
import { ERROR_CLASSES, TERMINAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES, NoLongerWantedError, type ErrorClass } from '../../../core/errors/index.js';
import { generatedAslFiles, MACHINES } from '../../../statemachines/src/index.js';
import { FUNCTIONS } from '../../../statemachines/src/functions.js';
import { loadAsl, STATE_MACHINES_DIR } from '../../../core/workflows/bindings.js';
import { explainFailure } from '../../../functions/shared/explain-failure.js';

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown> & { Payload?: Record<string, unknown>; FunctionName?: string };
  Retry?: { ErrorEquals: string[]; MaxAttempts: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Iterator?: { States: Record<string, State> };
  Next?: string;
}

/** Every state of a machine with its name, the states inside a Map included, and the states it sits among. */
function allStates(states: Record<string, State>): { name: string; state: State; siblings: Record<string, State> }[] {
  return Object.entries(states).flatMap(([name, state]) => [{ name, state, siblings: states }, ...(state.Iterator ? allStates(state.Iterator.States) : [])]);
}

/** The exported classes of core/errors, by export name. */
function errorExports(): [string, ErrorClass][] {
  return Object.entries(errors as Record<string, unknown>).filter(
    (e): e is [string, ErrorClass] => typeof e[1] === 'function' && (e[1] as { prototype: unknown }).prototype instanceof errors.InstanceManagerError,
  );
}

const FILES = readdirSync(STATE_MACHINES_DIR).filter((f) => f.endsWith('.asl.json'));
const tasksOf = (file: string) => allStates(loadAsl(file).States as Record<string, State>).filter((s) => s.state.Type === 'Task');
const isCallback = (s: State) => String(s.Resource).endsWith('.waitForTaskToken');

describe('generated state machines', () => {
  it('are up to date with statemachines/src (run `npm run generate` after changing it)', () => {
    const generated = generatedAslFiles();
    expect(generated.map((g) => path.basename(g.path)).sort()).toEqual([...FILES].sort());
    for (const { path: file, content } of generated) expect({ file, content: readFileSync(file, 'utf8') }).toEqual({ file, content });
  });

  it('name every Task function in the one table, and each table row belongs to a Task', () => {
    for (const m of MACHINES) {
      const tasks = tasksOf(`${m.name}.asl.json`);
      const named = Object.fromEntries(tasks.map(({ name, state }) => [name, isCallback(state) ? state.Parameters!.FunctionName : state.Resource]));
      expect(named).toEqual(FUNCTIONS[m.name]);
    }
    // The descriptions themselves never spell a placeholder: renaming a function is one edit, in functions.ts.
    const dir = path.join(STATE_MACHINES_DIR, 'src');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'functions.ts')) {
      expect({ file, placeholders: readFileSync(path.join(dir, file), 'utf8').match(/FunctionArn/g) ?? [] }).toEqual({ file, placeholders: [] });
    }
  });
});

describe.each(FILES)('%s', (file) => {
  const exported = new Set(errorExports().map(([, c]) => c.errorName));

  it('every ErrorEquals name is a States.* or Lambda.* name, Lambda\'s Sandbox.Timedout, or an exported error class of core/errors', () => {
    const names = tasksOf(file).flatMap(({ state }) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((r) => r.ErrorEquals));
    expect(names.length).toBeGreaterThan(0);
    for (const name of new Set(names)) expect({ name, known: /^(States|Lambda)\.[A-Za-z]+$/.test(name) || name === 'Sandbox.Timedout' || exported.has(name) }).toEqual({ name, known: true });
  });

  it('never retries a terminal class, and retries every retryable class in every Lambda Task', () => {
    for (const { name, state } of tasksOf(file)) {
      const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect({ name, terminal: retried.filter((e) => TERMINAL_ERROR_NAMES.includes(e)) }).toEqual({ name, terminal: [] });
      expect({ name, lambda: retried.filter((e) => e.startsWith('Lambda.')).length }).toEqual({ name, lambda: 4 });
      if (!isCallback(state)) expect({ name, missing: [...RETRYABLE_ERROR_NAMES, 'Sandbox.Timedout'].filter((e) => !retried.includes(e)) }).toEqual({ name, missing: [] });
    }
  });

  it('lets every failure reach the failure path: the execution fails at its step, unless the step is best-effort', () => {
    for (const { name, state, siblings } of tasksOf(file)) {
      for (const c of state.Catch ?? []) {
        if (c.ErrorEquals.includes(NoLongerWantedError.errorName)) {
          // Not a failure: the generation is no longer wanted and the execution ends successfully.
          expect({ name, catches: c.ErrorEquals, to: siblings[c.Next]?.Type }).toEqual({ name, catches: [NoLongerWantedError.errorName], to: 'Succeed' });
          continue;
        }
        // A catch-all only where a failure is harmless: a status report that goes on to where it would have gone, or
        // the callback wait whose failure falls back to one check (a Task that itself fails where it is).
        expect({ name, catches: c.ErrorEquals, next: c.Next }).toEqual({ name, catches: ['States.ALL'], next: state.Next });
        const bestEffort = /^Report /.test(name) || isCallback(state);
        expect({ name, bestEffort }).toEqual({ name, bestEffort: true });
        if (isCallback(state)) expect({ name, fallbackCatches: siblings[c.Next]?.Catch }).toEqual({ name, fallbackCatches: undefined });
      }
    }
  });

  it('has no failure-report chain: a failed step fails the execution where it is, so a Redrive resumes there', () => {
    // The report reaches the group through functions/report-execution-failure, on the execution's status change.
    const chain = allStates(loadAsl(file).States as Record<string, State>)
      .map((s) => s.name)
      .filter((name) => ['Explain Failure', 'Report Failure', 'Failed', 'Failed Without A Report'].includes(name) || / Failed$/.test(name));
    expect(chain).toEqual([]);
  });

  it('passes every Task its own state name, so the step logs under it', () => {
    for (const { name, state } of tasksOf(file)) {
      const input = isCallback(state) ? state.Parameters!.Payload : state.Parameters;
      expect({ name, stateName: input?.stateName }).toEqual({ name, stateName: name });
    }
  });
});

describe('error classes', () => {
  it('each says its Step Functions name (its class name, kept through minification), kind, reason and, if retryable, policy', () => {
    const byExport = errorExports();
    expect(byExport.map(([k]) => k).sort()).toEqual(ERROR_CLASSES.map((c) => c.errorName).sort());
    for (const [exportName, cls] of byExport) {
      expect({ exportName, own: Object.hasOwn(cls, 'errorName') && cls.errorName, reason: /^[A-Z][A-Za-z]+$/.test(cls.reason) }).toEqual({ exportName, own: exportName, reason: true });
      expect({ exportName, hasPolicy: cls.retry !== undefined }).toEqual({ exportName, hasPolicy: cls.kind === 'retryable' });
    }
    expect(new errors.ResourceBusyError('busy')).toMatchObject({ name: 'ResourceBusyError', kind: 'retryable', reason: 'ResourceBusy' });
    expect(new errors.ReplacementRequiredError('x')).toMatchObject({ name: 'ReplacementRequiredError', kind: 'terminal', reason: 'ReplacementRequired' });
  });

  it("give the failure report its reason and whether a retry could help (no table restates them)", () => {
    for (const cls of ERROR_CLASSES) {
      const { report } = explainFailure({ failedStep: 'Create Node Group', error: { Error: cls.errorName, Cause: 'x' } });
      expect({ error: cls.errorName, reason: report.reason, retryable: report.retryable }).toEqual({ error: cls.errorName, reason: cls.reason, retryable: cls.kind === 'retryable' });
    }
    expect(explainFailure({ failedStep: 'x', error: { Error: 'ReplacementRequiredError', Cause: 'x' } }).report.reason).toBe('ReplacementRequired');
  });
});
