// Issue 17: the event-driven stack wait, measured from the stack settling to the group's status. moto settles a
// stack inside CreateStack, so locally no stack wait would run at all. For this section's groups the create step's
// call is held back until "Wait For CloudFormation" has left its token on the group: as in AWS, where CloudFormation
// settles the stack minutes after the call. Then the stack settles (CREATE_COMPLETE), local/cfn-events emits
// CloudFormation's status event, eks-cf-stack-event hands the token back, and the workflow takes the group to
// Ready. Measured: the settled stack (the held-back call returned) → Ready observed by the watch.
import { stringify } from 'yaml';
import { KubeconfigAccess } from '../../core/kube/access.js';
import { stackName, type GroupRef } from '../../core/names/index.js';
import { storeStackWait, type StackWait } from '../../functions/eks-cf/stack-events.js';
import type { StepOverride } from '../../local/control-plane.js';
import { now } from './instrument.js';
import { kubectl } from './kubectl.js';
import { manifestFor } from './manifests.js';
import { summarize, type Summary } from './stats.js';
import { createNamespaces, type Harness } from './workflows.js';

export const STACK_WAITS_NAMESPACE = 'bench-stack-waits';

export interface StackWaitsFigure {
  runs: number;
  /** The stack settled → the group shows Ready (the event path: watcher, handler, SendTaskSuccess, the last steps). */
  settledToReadyMs: Summary;
}

interface Payload {
  change: { cluster: { name: string; region?: string; accountId?: string }; group: { namespace: string; name: string } };
  execution: { arn: string };
  group: { ref: GroupRef };
  stack: { stackName: string };
  taskToken: string;
}

/** The step overrides of this section (startControlPlane's handlerOverrides), and when each group's stack settled. */
export function stackWaitOverrides(): { overrides: Record<string, Record<string, StepOverride>>; settledAt: Map<string, number> } {
  const held = new Map<string, () => Promise<unknown>>();
  const settledAt = new Map<string, number>();
  const keyOf = (p: Payload) => `${p.change.group.namespace}/${p.change.group.name}`;
  const ours = (p: Payload) => p.change.group.namespace === STACK_WAITS_NAMESPACE;
  let access: KubeconfigAccess | undefined;
  return {
    settledAt,
    overrides: {
      'eks-cf-apply': {
        'Create Or Update Stack': async (event, context, real) => {
          const p = event as Payload;
          if (!ours(p)) return real(event, context);
          held.set(keyOf(p), async () => real(event, context));
          return { stackName: stackName(p.group.ref), status: 'CREATE_IN_PROGRESS', settled: false, gone: false, polls: 0, action: 'create' };
        },
        'Wait For CloudFormation': async (event, context, real) => {
          const p = event as Payload;
          const create = ours(p) ? held.get(keyOf(p)) : undefined;
          if (!create) return real(event, context);
          held.delete(keyOf(p));
          const wait: StackWait = { taskToken: p.taskToken, stackName: p.stack.stackName, purpose: 'apply', executionArn: p.execution.arn };
          // The workflows' kubeconfig, as the control plane set it for every step.
          await storeStackWait({ cluster: p.change.cluster, ref: p.group.ref, wait }, (access ??= new KubeconfigAccess(process.env.KUBECONFIG!)));
          await create();
          settledAt.set(keyOf(p), now());
          return { waiting: true, status: 'CREATE_IN_PROGRESS' };
        },
      },
    },
  };
}

/** `runs` eks-cf creates, one at a time, each until Ready; the groups are left in place. */
export async function measureStackWaits(h: Harness, runs: number, settledAt: Map<string, number>): Promise<StackWaitsFigure> {
  await createNamespaces(h.plane, [STACK_WAITS_NAMESPACE]);
  const samples: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const name = `stack-wait-${run}`;
    const key = `${STACK_WAITS_NAMESPACE}/${name}`;
    const t0 = now();
    await kubectl(h.plane.kubeconfigPath, ['apply', '-f', '-'], stringify(manifestFor('eks-cf', 'create', h.plane.account!, { namespace: STACK_WAITS_NAMESPACE, name })));
    const done = await h.watch.waitFor((e) => e.key === key && e.observedGeneration === e.generation && (e.state === 'Ready' || e.state === 'Error'), {
      since: t0,
      timeoutMs: 300_000,
      what: `${key} Ready`,
    });
    if (done.state !== 'Ready') throw new Error(`${key} ended in ${done.state}`);
    const settled = settledAt.get(key);
    if (settled === undefined) throw new Error(`${key}: its stack wait never ran (the override did not see it)`);
    samples.push(done.at - settled);
  }
  return { runs, settledToReadyMs: summarize(samples) };
}
