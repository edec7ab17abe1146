// The end-to-end figures on the local control plane: for each provisioner and scenario, `kubectl apply` (or
// `kubectl delete`) as a person runs it, then the InstanceGroup reaching Ready (or disappearing) as a watch on the
// API server sees it. Counts come from the executions' histories in the local Step Functions runtime; the time
// split comes from the SDK timings (instrument.ts).
import { stringify } from 'yaml';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ControlPlane } from '../../local/control-plane.js';
import type { ExecutionRecord } from '../../local/stepfunctions/history.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import type { InstanceGroupChange } from '../../core/events/index.js';
import { now, type SdkCall, type SdkRecorder } from './instrument.js';
import { kubectl } from './kubectl.js';
import { manifestFor, type Provisioner, type Scenario } from './manifests.js';
import { unionLength } from './stats.js';
import type { GroupEvent, GroupWatch } from './watch.js';

/** Clients of the relay (EventBridge), the dispatcher (SQS) and start-workflow (SFN, the local runtime). */
const PLUMBING_CLIENTS = new Set(['EventBridgeClient', 'SQSClient', 'SFNClient']);
/** Calls on a group's principal AWS resource: its stack, node group or Fargate profile (not references, not roles). */
const RESOURCE_CALL = /(Stack|Stacks|Nodegroup|NodegroupConfig|NodegroupVersion|Nodegroups|FargateProfile|FargateProfiles)Command$/;
const WRITE = /^(Create|Update|Delete|Tag|Untag|Attach|Detach|Put|ContinueUpdateRollback|CancelUpdateStack)/;
const FUNCTION_PREFIX = 'instance-manager-';

export interface Sample {
  provisioner: Provisioner;
  scenario: Scenario;
  run: number;
  /** kubectl started → Ready (or the object gone) observed through the watch. */
  wallMs: number;
  /** kubectl started → the watch sees the write (kubectl's own start-up and request). */
  kubectlMs: number;
  /** Inside moto on the critical path: the handlers' AWS calls, and event delivery (PutEvents → message received). */
  emulatorMs: number;
  /** The rest: relay, dispatcher, Step Functions runtime, Lambda code, Kubernetes API calls, watch delivery. */
  controlPlaneMs: number;
  /**
   * The last call on the group's stack, node group or profile returned → Ready (or gone) observed. moto settles at
   * once, so that call is where the resource is in its final state and the workflow knows it.
   */
  finalToReadyMs: number;
  /** Time the executions spent in Wait states (shortened locally). */
  waitStatesMs: number;
  transitions: number;
  lambdaInvocations: number;
  historyEvents: number;
  executions: number;
  eventsPut: number;
  workflowStarts: number;
  awsCalls: number;
  awsWrites: string[];
  invocationsByFunction: Record<string, number>;
  /** That call and what it returned (a status, or the error that says the resource is gone). */
  finalCall?: string;
  /** Milestones, ms after kubectl started. */
  milestones: { written: number; eventPut?: number; executionStarted?: number; finalAwsCall?: number; ready: number };
}

export interface Harness {
  plane: ControlPlane;
  watch: GroupWatch;
  sdk: SdkRecorder;
  executions: Map<string, Readonly<ExecutionRecord>>;
}

/** Keeps every execution the runtime starts. Call once, right after the control plane starts. */
export function trackExecutions(plane: ControlPlane): Map<string, Readonly<ExecutionRecord>> {
  const executions = new Map<string, Readonly<ExecutionRecord>>();
  plane.stepFunctions.onExecutionChange((e) => executions.set(e.executionArn, e));
  return executions;
}

export function changeOf(e: Readonly<ExecutionRecord>): InstanceGroupChange | undefined {
  const v = e.inputValue as InstanceGroupChange | undefined;
  return v && typeof v === 'object' && v.group ? v : undefined;
}

export interface HistoryCounts {
  transitions: number;
  lambdaInvocations: number;
  historyEvents: number;
  waitStatesMs: number;
  invocationsByFunction: Record<string, number>;
  retriedOrFailedLambdas: number;
}

/** Counts from a GetExecutionHistory-shaped history: every *StateEntered is a billed transition. */
export function countHistory(events: readonly HistoryEvent[]): HistoryCounts {
  const out: HistoryCounts = { transitions: 0, lambdaInvocations: 0, historyEvents: events.length, waitStatesMs: 0, invocationsByFunction: {}, retriedOrFailedLambdas: 0 };
  let waitEntered: number | undefined;
  for (const e of events) {
    const type = String(e.type);
    if (type.endsWith('StateEntered')) out.transitions += 1;
    if (type === 'WaitStateEntered') waitEntered = e.timestamp ? new Date(e.timestamp).getTime() : undefined;
    if (type === 'WaitStateExited' && waitEntered !== undefined && e.timestamp) {
      out.waitStatesMs += new Date(e.timestamp).getTime() - waitEntered;
      waitEntered = undefined;
    }
    let resource: string | undefined;
    if (type === 'LambdaFunctionScheduled') resource = e.lambdaFunctionScheduledEventDetails?.resource;
    else if (type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'lambda') resource = e.taskScheduledEventDetails.resource;
    else if (type === 'LambdaFunctionFailed' || type === 'LambdaFunctionTimedOut' || type === 'TaskFailed') out.retriedOrFailedLambdas += 1;
    if (type === 'LambdaFunctionScheduled' || (type === 'TaskScheduled' && resource !== undefined)) {
      out.lambdaInvocations += 1;
      const fn = (resource ?? '').split(':function:').pop()!.split(':')[0]!.replace(FUNCTION_PREFIX, '') || 'unknown';
      out.invocationsByFunction[fn] = (out.invocationsByFunction[fn] ?? 0) + 1;
    }
  }
  return out;
}

/**
 * Time inside the emulator on the critical path between `from` and `to`: the union of the Lambda handlers' AWS
 * calls and, for each ReceiveMessage that returned a message, the span from the PutEvents that put it (the latest
 * one started before) to the message's arrival — moto's EventBridge-to-queue delivery, which stands in for
 * EventBridge invoking start-workflow. The rest of a PutEvents after delivery, the dispatcher's idle long polls and
 * its DeleteMessage run beside the workflow and are not counted.
 */
export function emulatorTime(calls: readonly SdkCall[], from: number, to: number): number {
  const intervals: { start: number; end: number }[] = calls.filter((c) => !PLUMBING_CLIENTS.has(c.client));
  const puts = calls.filter((c) => c.command === 'PutEventsCommand').sort((a, b) => a.start - b.start);
  for (const r of calls) {
    if (r.command !== 'ReceiveMessageCommand' || !r.count) continue;
    const put = puts.filter((p) => p.start <= r.end).pop();
    if (put) intervals.push({ start: put.start, end: r.end });
  }
  return unionLength(intervals, from, to);
}

const key = (ref: { namespace: string; name: string }) => `${ref.namespace}/${ref.name}`;

function describeError(e: GroupEvent): string {
  const ready = e.group.status?.conditions?.find((c) => c.type === 'Ready');
  return `${e.key} is in Error: ${ready?.reason ?? '?'}: ${ready?.message ?? '(no message)'}`;
}

/** Runs one scenario on one group and measures it. The group must be settled before (or absent for create). */
export async function measureScenario(
  h: Harness,
  provisioner: Provisioner,
  scenario: Scenario,
  ref: { namespace: string; name: string },
  run: number,
  previousGeneration?: number,
): Promise<{ sample: Sample; generation: number }> {
  const kubeconfig = h.plane.kubeconfigPath;
  const k = key(ref);
  const t0 = now();
  let uid: string;
  let generation: number;
  let written: GroupEvent;
  let done: GroupEvent;
  if (scenario === 'delete') {
    const current = JSON.parse(await kubectl(kubeconfig, ['get', 'instancegroup', ref.name, '-n', ref.namespace, '-o', 'json'])) as InstanceGroup;
    uid = current.metadata.uid;
    generation = current.metadata.generation;
    const t = now();
    await kubectl(kubeconfig, ['delete', 'instancegroup', ref.name, '-n', ref.namespace, '--wait=false']);
    // The window starts at the delete itself, not at the get above.
    written = await h.watch.waitFor((e) => e.key === k && e.uid === uid && !!e.group.metadata.deletionTimestamp, { since: t, what: `${k} marked for deletion` });
    done = await h.watch.waitFor((e) => e.key === k && e.uid === uid && (e.type === 'DELETED' || e.state === 'Error'), {
      since: t,
      timeoutMs: 120_000,
      what: `${k} gone`,
    });
    return finish(h, provisioner, scenario, run, t, uid, written, done, generation);
  }
  const manifest = manifestFor(provisioner, scenario, h.plane.account!, ref);
  const applied = JSON.parse(await kubectl(kubeconfig, ['apply', '-o', 'json', '-f', '-'], stringify(manifest))) as InstanceGroup;
  uid = applied.metadata.uid;
  generation = applied.metadata.generation;
  if (previousGeneration !== undefined && generation === previousGeneration) {
    throw new Error(`${k}: the ${scenario} manifest did not change the spec (generation stays ${generation}); the benchmark's manifests need fixing`);
  }
  written = await h.watch.waitFor((e) => e.key === k && e.uid === uid && e.generation === generation, { since: t0, what: `${k} generation ${generation} written` });
  done = await h.watch.waitFor(
    (e) => e.key === k && e.uid === uid && e.observedGeneration === generation && (e.state === 'Ready' || e.state === 'Error'),
    { since: t0, timeoutMs: 120_000, what: `${k} generation ${generation} Ready` },
  );
  return finish(h, provisioner, scenario, run, t0, uid, written, done, generation);
}

async function finish(
  h: Harness,
  provisioner: Provisioner,
  scenario: Scenario,
  run: number,
  t0: number,
  uid: string,
  written: GroupEvent,
  done: GroupEvent,
  generation: number,
): Promise<{ sample: Sample; generation: number }> {
  if (done.state === 'Error') throw new Error(`${provisioner} ${scenario}: ${describeError(done)}`);
  // The execution goes on for a state or two after its status write: wait for it so its history is complete.
  await h.plane.stepFunctions.waitForIdle({ timeoutMs: 60_000 });
  const end = done.at;
  const executions = [...h.executions.values()].filter((e) => changeOf(e)?.group.uid === uid && e.startDate.getTime() >= t0 - 1);
  const failed = executions.filter((e) => e.status !== 'SUCCEEDED');
  if (failed.length) throw new Error(`${provisioner} ${scenario}: execution ${failed[0]!.name} ${failed[0]!.status}: ${failed[0]!.error}: ${failed[0]!.cause}`);
  const counts = executions.map((e) => countHistory(e.events));
  const sum = (f: (c: HistoryCounts) => number) => counts.reduce((a, c) => a + f(c), 0);
  const byFunction: Record<string, number> = {};
  for (const c of counts) for (const [fn, n] of Object.entries(c.invocationsByFunction)) byFunction[fn] = (byFunction[fn] ?? 0) + n;

  const calls = h.sdk.between(t0, end);
  const handlerCalls = calls.filter((c) => !PLUMBING_CLIENTS.has(c.client) && c.end <= end);
  const resourceCalls = handlerCalls.filter((c) => RESOURCE_CALL.test(c.command));
  const final = resourceCalls.sort((a, b) => a.end - b.end).at(-1);
  const puts = calls.filter((c) => c.command === 'PutEventsCommand' && c.ok && (c.count ?? 0) > 0);
  const starts = calls.filter((c) => c.command === 'StartExecutionCommand');
  const wallMs = end - t0;
  const kubectlMs = written.at - t0;
  const emulatorMs = emulatorTime(calls, written.at, end);
  const sample: Sample = {
    provisioner,
    scenario,
    run,
    wallMs,
    kubectlMs,
    emulatorMs,
    controlPlaneMs: wallMs - kubectlMs - emulatorMs,
    finalToReadyMs: final ? end - final.end : NaN,
    waitStatesMs: sum((c) => c.waitStatesMs),
    transitions: sum((c) => c.transitions),
    lambdaInvocations: sum((c) => c.lambdaInvocations),
    historyEvents: sum((c) => c.historyEvents),
    executions: executions.length,
    eventsPut: puts.reduce((a, c) => a + (c.count ?? 0), 0),
    workflowStarts: starts.length,
    awsCalls: handlerCalls.length,
    awsWrites: handlerCalls.filter((c) => WRITE.test(c.command)).map((c) => c.command.replace(/Command$/, '')),
    invocationsByFunction: byFunction,
    ...(final ? { finalCall: `${final.command.replace(/Command$/, '')} → ${final.status ?? final.errorName ?? 'ok'}` } : {}),
    milestones: {
      written: kubectlMs,
      ...(puts[0] ? { eventPut: puts[0].end - t0 } : {}),
      ...(starts[0] ? { executionStarted: starts[0].end - t0 } : {}),
      ...(final ? { finalAwsCall: final.end - t0 } : {}),
      ready: wallMs,
    },
  };
  return { sample, generation };
}

/** Namespaces for the scenarios, one per provisioner. */
export const namespaceFor = (p: Provisioner) => `bench-${p}`;

export async function createNamespaces(plane: ControlPlane, names: string[]): Promise<void> {
  const docs = names.map((name) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })).join('---\n');
  await kubectl(plane.kubeconfigPath, ['apply', '-f', '-'], docs);
}

/** create → update → no-op re-apply → delete on a fresh group. */
export async function measureLifecycle(h: Harness, provisioner: Provisioner, run: number, label: string): Promise<Sample[]> {
  const ref = { namespace: namespaceFor(provisioner), name: `${label}-${run}` };
  const samples: Sample[] = [];
  let generation: number | undefined;
  for (const scenario of ['create', 'update', 'noop', 'delete'] as const) {
    const out = await measureScenario(h, provisioner, scenario, ref, run, scenario === 'create' || scenario === 'delete' ? undefined : generation);
    generation = out.generation;
    samples.push(out.sample);
  }
  return samples;
}
