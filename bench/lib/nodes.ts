// Node figures on the local control plane, where instances boot into Nodes (local/instances) and an eks-cf group
// is Ready only once its nodes have joined:
// - issue 11: a create, from the stack settling in moto (the first DescribeStacks that returns CREATE_COMPLETE) to
//   the watch showing the NodesReady condition True, and how many passes of "Check Nodes" that took;
// - issue 12: an instance-type change of a 4-node group, which the "Rotate Outdated Nodes" Map replaces node by
//   node: its transitions and Lambda invocations per rotated node, and its wall time.
import { stringify } from 'yaml';
import type { InstanceGroup } from '../../core/spec/types.js';
import { kubectl } from './kubectl.js';
import type { NodeReadyTimes } from './node-ready-times.js';
import { manifestFor } from './manifests.js';
import { eventsOfType, stateEntries, type NodesSample, type RotationSample } from './nodes-figures.js';
import { now } from './instrument.js';
import type { GroupEvent } from './watch.js';
import { changeOf, countHistory, type Harness } from './workflows.js';

export const NODES_NAMESPACE = 'bench-nodes';
const ROTATION_NODES = 4;
const CREATE_TIMEOUT_MS = 300_000;
const ROTATION_TIMEOUT_MS = 600_000;

const nodesReady = (e: GroupEvent) => e.group.status?.conditions?.some((c) => c.type === 'NodesReady' && c.status === 'True') ?? false;

function describeError(e: GroupEvent): string {
  const c = e.group.status?.conditions?.find((x) => x.type === 'NodesReady') ?? e.group.status?.conditions?.find((x) => x.type === 'Ready');
  return `${e.key} is in Error: ${c?.reason ?? '?'}: ${c?.message ?? '(no message)'}`;
}

/** Applies `manifest` and waits for Ready with NodesReady True for the generation it wrote. */
async function applyUntilNodesReady(h: Harness, manifest: InstanceGroup, timeoutMs: number) {
  const key = `${manifest.metadata.namespace}/${manifest.metadata.name}`;
  const t0 = now();
  const applied = JSON.parse(await kubectl(h.plane.kubeconfigPath, ['apply', '-o', 'json', '-f', '-'], stringify(manifest))) as InstanceGroup;
  const { uid, generation } = applied.metadata;
  const done = await h.watch.waitFor(
    (e) => e.key === key && e.uid === uid && e.observedGeneration === generation && ((e.state === 'Ready' && nodesReady(e)) || e.state === 'Error'),
    { since: t0, timeoutMs, what: `${key} generation ${generation} Ready with NodesReady True` },
  );
  if (done.state === 'Error') throw new Error(describeError(done));
  await h.plane.stepFunctions.waitForIdle({ timeoutMs: 60_000 });
  const executions = [...h.executions.values()].filter((e) => changeOf(e)?.group.uid === uid && e.startDate.getTime() >= t0 - 1);
  const failed = executions.find((e) => e.status !== 'SUCCEEDED');
  if (failed) throw new Error(`${key}: execution ${failed.name} ${failed.status}: ${failed.error}: ${failed.cause}`);
  return { t0, done, executions, applied };
}

/** The reference sample (as the workflow figures use it), with `size` nodes when given, rotating one at a time. */
function eksCfGroup(h: Harness, name: string, size?: number): InstanceGroup {
  const g = manifestFor('eks-cf', 'create', h.plane.account!, { namespace: NODES_NAMESPACE, name });
  if (size !== undefined) Object.assign(g.spec['eks-cf']!, { minSize: size, maxSize: size + 1 });
  g.spec.strategy = { type: 'rollingUpdate', rollingUpdate: { maxUnavailable: 1, pauseTime: 'PT0S' } } as InstanceGroup['spec']['strategy'];
  return g;
}

async function remove(h: Harness, name: string): Promise<void> {
  await kubectl(h.plane.kubeconfigPath, ['delete', 'instancegroup', name, '-n', NODES_NAMESPACE, '--wait=false']);
  await h.watch.waitFor((e) => e.key === `${NODES_NAMESPACE}/${name}` && e.type === 'DELETED', { timeoutMs: 180_000, what: `${name} gone` });
}

/** Issue 11: one eks-cf create until its nodes have joined. */
export async function measureNodesReady(h: Harness, run: number, nodeReady?: NodeReadyTimes): Promise<NodesSample> {
  const name = `nodes-${run}`;
  const manifest = eksCfGroup(h, name);
  const nodes = manifest.spec['eks-cf']!.minSize;
  const { t0, done, executions } = await applyUntilNodesReady(h, manifest, CREATE_TIMEOUT_MS);
  const settled = h.sdk
    .between(t0, done.at)
    .filter((c) => c.command === 'DescribeStacksCommand' && c.status === 'CREATE_COMPLETE')
    .sort((a, b) => a.end - b.end)[0];
  if (!settled) throw new Error(`${name}: no DescribeStacks returned CREATE_COMPLETE before NodesReady`);
  const lastNodeReady = nodeReady?.lastReadyAt(`${NODES_NAMESPACE}/${name}`);
  await remove(h, name);
  return {
    run,
    nodes,
    stackSettledToNodesReadyMs: done.at - settled.end,
    ...(lastNodeReady !== undefined && lastNodeReady >= t0 ? { nodeReadyToNodesReadyMs: done.at - lastNodeReady } : {}),
    checkNodesPolls: stateEntries(executions.map((e) => e.events), 'Check Nodes'),
    waitStatesMs: executions.reduce((a, e) => a + countHistory(e.events).waitStatesMs, 0),
    wallMs: done.at - t0,
  };
}

/** Issue 12: a 4-node group created (not measured), then its instance type changed (measured). */
export async function measureRotation(h: Harness, run: number): Promise<RotationSample> {
  const name = `rotation-${run}`;
  const { applied } = await applyUntilNodesReady(h, eksCfGroup(h, name, ROTATION_NODES), CREATE_TIMEOUT_MS);
  const changed = eksCfGroup(h, name, ROTATION_NODES);
  changed.spec['eks-cf']!.configuration.instanceType = applied.spec['eks-cf']!.configuration.instanceType === 'm5.xlarge' ? 'm5.2xlarge' : 'm5.xlarge';
  const { t0, done, executions } = await applyUntilNodesReady(h, changed, ROTATION_TIMEOUT_MS);
  const histories = executions.map((e) => e.events);
  const counts = histories.map(countHistory);
  const byFunction: Record<string, number> = {};
  for (const c of counts) for (const [fn, n] of Object.entries(c.invocationsByFunction)) byFunction[fn] = (byFunction[fn] ?? 0) + n;
  await remove(h, name);
  return {
    run,
    nodes: ROTATION_NODES,
    wallMs: done.at - t0,
    transitions: counts.reduce((a, c) => a + c.transitions, 0),
    lambdaInvocations: counts.reduce((a, c) => a + c.lambdaInvocations, 0),
    executions: executions.length,
    mapIterations: eventsOfType(histories, 'MapIterationStarted'),
    replacementPolls: stateEntries(histories, 'Check Replacement Nodes'),
    drainPasses: stateEntries(histories, 'Cordon And Drain'),
    invocationsByFunction: byFunction,
  };
}
