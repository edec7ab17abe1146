// Stands in for the Step Functions workflows in relay tests: reacts to each event on the bus the way the real
// callback does (status through the status subresource, finalizer removal after a delete), with a per-event
// outcome chosen by the test.
import type { InstanceGroupChange } from '../../../core/events/index.js';
import { httpStatusOf, type InstanceGroupApi } from '../../../core/kube/instancegroups.js';
import { consoleUrl, executionName } from '../../../core/names/index.js';
import { reportIsCurrent, statusAfter, type ExecutionInfo, type StatusReport } from '../../../core/status/index.js';
import type { BusObserver } from './bus-observer.js';

export type Outcome = 'succeed' | 'fail-retryable' | 'fail-terminal' | 'ignore';

export interface FakeWorkflow {
  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void>;
  stop(): void;
  readonly errors: unknown[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fakeWorkflow(bus: BusObserver, api: InstanceGroupApi, outcome: (change: InstanceGroupChange) => Outcome): FakeWorkflow {
  const chains = new Map<string, Promise<void>>();
  const errors: unknown[] = [];

  async function write(change: InstanceGroupChange, report: StatusReport): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const group = await api.get(change.group);
      if (!group || group.metadata.uid !== change.group.uid) return;
      if (!reportIsCurrent(group.status, report)) return;
      try {
        await api.replaceStatus(group, statusAfter(group.status, report, new Date().toISOString()));
        return;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status !== 409 && status !== 422) throw error;
        await sleep(10);
      }
    }
  }

  async function removeFinalizer(change: InstanceGroupChange): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const group = await api.get(change.group);
      if (!group || group.metadata.uid !== change.group.uid) return;
      try {
        await api.removeFinalizer(group);
        return;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status !== 409 && status !== 422) throw error;
        await sleep(10);
      }
    }
  }

  async function handle(change: InstanceGroupChange): Promise<void> {
    const what = outcome(change);
    if (what === 'ignore') return;
    const name = executionName({ ...change.group, operation: change.operation, attempt: change.attempt });
    const arn = `arn:aws:states:us-west-2:000000000000:execution:instance-manager-${change.provisioner}:${name}`;
    const execution: ExecutionInfo = {
      arn,
      name,
      consoleUrl: consoleUrl(arn),
      generation: change.group.generation,
      operation: change.operation,
      attempt: change.attempt,
    };
    if (change.operation === 'delete') {
      await write(change, { phase: 'deleting', execution });
      if (what === 'succeed') await removeFinalizer(change);
      else await write(change, { phase: 'failed', execution, reason: 'DeleteFailed', message: 'test', retryable: what === 'fail-retryable' });
      return;
    }
    await write(change, { phase: 'started', execution });
    if (what === 'succeed') await write(change, { phase: 'ready', execution, observed: { currentMin: 1, currentMax: 3 } });
    else await write(change, { phase: 'failed', execution, reason: 'TestFailure', message: 'failed on purpose', retryable: what === 'fail-retryable' });
  }

  const unsubscribe = bus.subscribe((event) => {
    const change = event.detail;
    const key = change.group.uid;
    const next = (chains.get(key) ?? Promise.resolve()).then(() => handle(change)).catch((error: unknown) => {
      errors.push(error);
    });
    chains.set(key, next);
  });

  return {
    errors,
    async idle() {
      let size = -1;
      while (size !== chains.size) {
        size = chains.size;
        await Promise.all(chains.values());
      }
    },
    stop: unsubscribe,
  };
}
