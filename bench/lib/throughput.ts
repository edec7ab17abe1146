// Throughput: N eks-cf InstanceGroups in one `kubectl apply`, all at once, until every one shows Ready. Then the
// checks: none lost (every group Ready for its generation) and none duplicated (exactly one apply execution per
// group and generation in the runtime, and one stack per group in the emulated account).
import { CloudFormationClient, paginateListStacks } from '@aws-sdk/client-cloudformation';
import { stringify } from 'yaml';
import { awsClientConfig } from '../../core/aws/config.js';
import type { ThroughputFigure } from './format.js';
import { now } from './instrument.js';
import { kubectl } from './kubectl.js';
import { manifestFor } from './manifests.js';
import { summarize, unionLength } from './stats.js';
import { changeOf, countHistory, createNamespaces, type Harness } from './workflows.js';

/** The throughput figures of the result file; this benchmark runs eks-cf groups. */
export interface ThroughputResult extends ThroughputFigure {
  provisioner: 'eks-cf';
}

export async function measureThroughput(
  h: Harness,
  groups: number,
  options: { timeoutMs?: number; stallMs?: number; progress?: (line: string) => void } = {},
): Promise<ThroughputResult> {
  const namespace = 'bench-throughput';
  await createNamespaces(h.plane, [namespace]);
  const names = Array.from({ length: groups }, (_, i) => `tp-${String(i).padStart(3, '0')}`);
  const docs = names.map((name) => stringify(manifestFor('eks-cf', 'create', h.plane.account!, { namespace, name }))).join('---\n');
  const keys = new Set(names.map((n) => `${namespace}/${n}`));
  const ready = new Map<string, number>();
  const failed = new Map<string, string>();
  let settle: () => void = () => {};
  const allSettled = new Promise<void>((resolve) => (settle = resolve));
  let seen = 0;
  const test = () => {
    for (; seen < h.watch.events.length; seen++) {
      const e = h.watch.events[seen]!;
      if (e.at < t0 || !keys.has(e.key) || e.observedGeneration !== e.generation) continue;
      if (e.state === 'Ready') {
        ready.set(e.key, e.at);
        failed.delete(e.key);
      } else if (e.state === 'Error') {
        const c = e.group.status?.conditions?.find((x) => x.type === 'Ready');
        failed.set(e.key, `${c?.reason ?? 'Error'}: ${c?.message ?? ''}`);
      }
    }
    if (ready.size + failed.size === keys.size) settle();
  };
  const t0 = now();
  await kubectl(h.plane.kubeconfigPath, ['apply', '-f', '-'], docs);
  const kubectlS = (now() - t0) / 1000;
  const timer = setInterval(test, 50);
  const progress = setInterval(() => options.progress?.(`throughput: ${ready.size}/${groups} Ready, ${failed.size} in Error after ${((now() - t0) / 1000).toFixed(0)} s`), 10_000);
  // The bound is progress, not a fixed time: on a loaded machine 200 groups can take many minutes, and a group that
  // is still being worked on is slow, not lost. Lost means the system stopped settling groups (none for stallMs)
  // with some not Ready; timeoutMs is only a ceiling for the whole section.
  const timeoutMs = options.timeoutMs ?? 1_800_000;
  const stallMs = options.stallMs ?? 120_000;
  let timedOut = false;
  let settledCount = 0;
  let lastProgress = now();
  const stalled = new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (ready.size + failed.size !== settledCount) {
        settledCount = ready.size + failed.size;
        lastProgress = now();
      }
      if (now() - lastProgress > stallMs || now() - t0 > timeoutMs) {
        timedOut = true;
        clearInterval(check);
        resolve();
      }
    }, 1000);
    void allSettled.then(() => clearInterval(check));
  });
  await Promise.race([allSettled, stalled]);
  clearInterval(timer);
  clearInterval(progress);
  test();
  if (!ready.size) throw new Error(`throughput: none of the ${groups} groups reached Ready (${[...failed.values()][0] ?? 'none settled'})`);
  const end = Math.max(...ready.values());
  await h.plane.stepFunctions.waitForIdle({ timeoutMs: timedOut ? 10_000 : 120_000 }).catch(() => {});

  const uids = new Map<string, string>();
  for (const e of h.watch.events) if (keys.has(e.key)) uids.set(e.uid, e.key);
  const perGroup = new Map<string, number>();
  let transitions = 0;
  let failedAttempts = 0;
  let executions = 0;
  for (const e of h.executions.values()) {
    const change = changeOf(e);
    if (!change || !uids.has(change.group.uid) || change.operation !== 'apply') continue;
    executions += 1;
    const k = `${change.group.uid}/${change.group.generation}`;
    perGroup.set(k, (perGroup.get(k) ?? 0) + 1);
    const c = countHistory(e.events);
    transitions += c.transitions;
    failedAttempts += c.retriedOrFailedLambdas;
  }
  const cfn = new CloudFormationClient(awsClientConfig());
  let stacks = 0;
  for await (const page of paginateListStacks({ client: cfn }, {})) {
    stacks += (page.StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE' && s.StackName?.includes(`-${namespace}-tp-`)).length;
  }
  cfn.destroy();
  const calls = h.sdk.between(t0, end);
  const puts = calls.filter((c) => c.command === 'PutEventsCommand' && c.ok);
  const sdkRetries: Record<string, number> = {};
  for (const c of calls) if ((c.attempts ?? 1) > 1) sdkRetries[c.command.replace(/Command$/, '')] = (sdkRetries[c.command.replace(/Command$/, '')] ?? 0) + 1;
  const errors = [...keys].filter((k) => !ready.has(k)).map((k) => ({ group: k, reason: failed.get(k) ?? 'not settled' }));
  const result: ThroughputResult = {
    provisioner: 'eks-cf',
    groups,
    allReadyS: (end - t0) / 1000,
    readyS: summarize([...ready.values()].map((t) => (t - t0) / 1000)),
    kubectlS,
    lost: groups - ready.size,
    errors,
    duplicated: [...perGroup.values()].filter((n) => n > 1).length,
    executions,
    stacks,
    eventsPut: puts.reduce((a, c) => a + (c.count ?? 0), 0),
    eventsByReason: puts.reduce<Record<string, number>>((acc, c) => {
      for (const [reason, n] of Object.entries(c.reasons ?? {})) acc[reason] = (acc[reason] ?? 0) + n;
      return acc;
    }, {}),
    workflowStarts: calls.filter((c) => c.command === 'StartExecutionCommand').length,
    failedLambdaAttempts: failedAttempts,
    sdkRetries,
    transitions,
    putEventsBusyS: unionLength(calls.filter((c) => c.command === 'PutEventsCommand'), t0, end) / 1000,
    handlerCallsBusyS: unionLength(calls.filter((c) => !['EventBridgeClient', 'SQSClient', 'SFNClient'].includes(c.client)), t0, end) / 1000,
  };
  if (timedOut) options.progress?.(`throughput: only ${ready.size + failed.size} of ${groups} groups settled (none for ${stallMs / 1000} s, or ${timeoutMs / 1000} s in all)`);
  for (const e of errors) options.progress?.(`throughput: lost ${e.group}: ${e.reason}`);
  return result;
}
