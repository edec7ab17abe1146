// Faults the soak injects into the Lambda steps of every state machine, drawn from a seeded stream while `active`:
// step time-outs (the step did its work and then ran out of time: Sandbox.Timedout, which no Retry covers, so the
// execution fails and must be picked up again), and a status or aws-auth write that kept losing its race until the
// step gave up (409 after every retry). They are injected at the step boundary, where such a fault surfaces. AWS's
// own throttling, 5xx and time-outs come from the proxy in front of moto (local/faults/aws-proxy.ts), real 409s from
// a concurrent writer (local/faults/conflicts.ts).
import { loadAsl, taskBindings } from '../../../core/workflows/bindings.js';
import type { StepOverride } from '../../../local/control-plane.js';
import { rng } from './plan.js';

export type FaultKind = 'step-timeout' | 'status-409-gave-up' | 'aws-auth-409-gave-up';

export interface Faults {
  overrides: Record<string, Record<string, StepOverride>>;
  counts: Record<FaultKind, number>;
  /** performance.now() of the last fault injected. */
  lastAt(): number;
  stop(): void;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** The steps that write kube-system/aws-auth (by their function folder: the state names do not say it). */
const AWS_AUTH_WRITERS = new Set(['eks-cf/authorize-node-role', 'eks-cf/revoke-node-role']);

export function faultInjector(options: { seed: number; probability: number; machines: { base: string; file: string }[] }): Faults {
  const random = rng(options.seed ^ 0x5eed);
  const counts: Record<FaultKind, number> = { 'step-timeout': 0, 'status-409-gave-up': 0, 'aws-auth-409-gave-up': 0 };
  let active = true;
  let last = 0;
  const overrides: Faults['overrides'] = {};
  for (const { base, file } of options.machines) {
    overrides[base] = {};
    for (const { state, folder } of taskBindings(loadAsl(file))) {
      overrides[base]![state] = async (event, context, real) => {
        if (!active || random() >= options.probability) return real(event, context);
        const kind: FaultKind = /^Report /.test(state) ? 'status-409-gave-up' : AWS_AUTH_WRITERS.has(folder) ? 'aws-auth-409-gave-up' : 'step-timeout';
        counts[kind]++;
        last = performance.now();
        if (kind === 'step-timeout') {
          await real(event, context);
          throw named('Sandbox.Timedout', `Task timed out (injected by the soak in "${state}")`);
        }
        const message = kind === 'status-409-gave-up' ? 'the status write kept conflicting (409)' : 'aws-auth kept conflicting (409)';
        throw named('RetryableError', `${message} (injected by the soak in "${state}")`);
      };
    }
  }
  return { overrides, counts, lastAt: () => last, stop: () => (active = false) };
}
