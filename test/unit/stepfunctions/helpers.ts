import { createLogger } from '../../../core/log/index.js';
import { LocalStepFunctions, type LocalStepFunctionsOptions } from '../../../local/stepfunctions/index.js';
import { fixturePath } from '../../support/fixtures.js';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';

export const asl = (name: string): string => fixturePath(`asl/${name}.asl.json`);

export const silent = createLogger({}, { sink: () => {} });

export function newRuntime(options: LocalStepFunctionsOptions = {}): LocalStepFunctions {
  return new LocalStepFunctions({ region: REGION, account: ACCOUNT, logger: silent, ...options });
}

export const types = (events: { type?: string }[]) => events.map((e) => e.type);

/** The history events of one Task state, with one Lambda attempt per outcome given (Failed ones retried). */
export const taskEvents = (...attempts: ('Succeeded' | 'Failed')[]): string[] => [
  'TaskStateEntered',
  ...attempts.flatMap((outcome) => ['LambdaFunctionScheduled', 'LambdaFunctionStarted', `LambdaFunction${outcome}`]),
  'TaskStateExited',
];

/** Records each call of a handler: the event and the Lambda context it got. */
export function recorder<T = unknown>(impl: (event: any, call: number) => T | Promise<T>) {
  const calls: { event: any; context: any }[] = [];
  const handler = async (event: any, context: any) => {
    calls.push({ event, context });
    return impl(event, calls.length);
  };
  return { handler, calls };
}

import { DETAIL_TYPE, EVENT_SOURCE, type InstanceGroupChange } from '../../../core/events/index.js';
import type { InstanceGroupSpec } from '../../../core/schema/types.generated.js';
import { REFERENCE_SAMPLES, loadManifest } from '../../support/fixtures.js';
import type { InstanceGroupEvent } from '../../../functions/start-workflow/start.js';

/** An InstanceGroupChange for the reference eks-cf sample, as the relay sends it. */
export function sampleChange(overrides: Partial<InstanceGroupChange> = {}, group: Partial<InstanceGroupChange['group']> = {}): InstanceGroupChange {
  const manifest = loadManifest(REFERENCE_SAMPLES.eksCf);
  return {
    version: 1,
    cluster: { name: 'my-eks-cluster', defaults: {} },
    group: { namespace: 'default', name: manifest.metadata!.name!, uid: '2f0c1a52-6f1e-4c55-9a55-1b7e3d1f0a01', generation: 1, resourceVersion: '100', ...group },
    provisioner: 'eks-cf',
    operation: 'apply',
    reason: 'created',
    attempt: 1,
    spec: manifest.spec as InstanceGroupSpec,
    sentAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** The EventBridge event a rule delivers for a change. */
export function eventFor(change: InstanceGroupChange, id = 'e-1'): InstanceGroupEvent {
  return {
    version: '0',
    id,
    'detail-type': DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: ACCOUNT,
    time: '2026-01-01T00:00:00Z',
    region: REGION,
    resources: [],
    detail: change,
  };
}
