// Faults the soak injects into the Lambda steps of every state machine, drawn from a seeded stream while `active`:
// AWS throttling and 5xx (the step's AWS call answered with a retryable error), step time-outs (the step did its work
// and then ran out of time: Sandbox.Timedout, which no Retry covers, so the execution fails and must be picked up
// again), and 409 conflicts on the status and on aws-auth (the write lost its race after every retry). They are
// injected at the step boundary, where a real fault surfaces after the SDK's and the client's own retries.
import { loadAsl, taskBindings } from '../../../local/workflows/bind.js';
import type { StepOverride } from '../../../local/control-plane.js';
import { rng } from './plan.js';

export type FaultKind = 'aws-throttling' | 'aws-5xx' | 'step-timeout' | 'status-409' | 'aws-auth-409';

export interface Faults {
  overrides: Record<string, Record<string, StepOverride>>;
  counts: Record<FaultKind, number>;
  /** performance.now() of the last fault injected. */
  lastAt(): number;
  stop(): void;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

export function faultInjector(options: { seed: number; probability: number; machines: { base: string; file: string }[] }): Faults {
  const random = rng(options.seed ^ 0x5eed);
  const counts: Record<FaultKind, number> = { 'aws-throttling': 0, 'aws-5xx': 0, 'step-timeout': 0, 'status-409': 0, 'aws-auth-409': 0 };
  let active = true;
  let last = 0;
  const overrides: Faults['overrides'] = {};
  for (const { base, file } of options.machines) {
    overrides[base] = {};
    for (const { state } of taskBindings(loadAsl(file))) {
      overrides[base]![state] = async (event, context, real) => {
        if (!active || random() >= options.probability) return real(event, context);
        const kind: FaultKind = /^Report /.test(state)
          ? 'status-409'
          : /aws-auth/.test(state)
            ? 'aws-auth-409'
            : (['aws-throttling', 'aws-5xx', 'step-timeout'] as const)[Math.floor(random() * 3)]!;
        counts[kind]++;
        last = performance.now();
        if (kind === 'step-timeout') {
          await real(event, context);
          throw named('Sandbox.Timedout', `Task timed out (injected by the soak in "${state}")`);
        }
        const message = { 'aws-throttling': 'Rate exceeded', 'aws-5xx': 'InternalFailure', 'status-409': 'the status write kept conflicting (409)', 'aws-auth-409': 'aws-auth kept conflicting (409)' }[kind];
        throw named('RetryableError', `${message} (injected by the soak in "${state}")`);
      };
    }
  }
  return { overrides, counts, lastAt: () => last, stop: () => (active = false) };
}
