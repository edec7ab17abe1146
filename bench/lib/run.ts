// The benchmark proper, once bench/all.ts has checked the preconditions: measures every section in turn, writes
// the JSON and the SVG, prints the table, and returns the exit code.
import '../../local/quiet-logs.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { startControlPlane, type ControlPlane } from '../../local/control-plane.js';
import { runRelayBench } from '../relay.js';
import { costFigures, workflowFigures } from './aggregate.js';
import { pollLoopsOf } from './asl.js';
import { measureBundles } from './bundles.js';
import { createWaitFigures } from './create-waits.js';
import { POWERTOOLS_SAMPLE_FUNCTION, powertoolsCost } from './powertools-cost.js';
import { renderSvg } from './chart.js';
import { ASSUMPTIONS, costPer1000, idleMonth, PRICES, readDeployment } from './cost.js';
import { checkNodeSections, checkResult, FORMAT_VERSION, resultStem, roundDeep, type BenchResult, type PartialBenchResult, type ThroughputFigure } from './format.js';
import { SdkRecorder } from './instrument.js';
import { PROVISIONERS } from './manifests.js';
import { measureNodesReady, measureRotation, NODES_NAMESPACE } from './nodes.js';
import { nodesFigure, rotationFigure, type NodesFigure, type NodesSample, type RotationFigure, type RotationSample } from './nodes-figures.js';
import { nodeRows } from './nodes-table.js';
import { NodeReadyTimes } from './node-ready-times.js';
import { renderTable, stackWaitRows, tableLines, throughputRows, waitRows } from './table.js';
import { measureStackWaits, stackWaitOverrides, type StackWaitsFigure } from './stack-waits.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { waitFigures, type ExecutionHistory } from './waits.js';
import { GroupWatch } from './watch.js';
import { createNamespaces, measureLifecycle, namespaceFor, trackExecutions, type Harness, type Sample } from './workflows.js';

const OVERHEAD_TARGET_MS = 1000;

export interface BenchOptions {
  repo: string;
  out: string;
  quick: boolean;
  runs: number;
  groups: number;
  relaySizes: number[];
  relayChanges: number;
  relayRate: number;
  bundleRuns: number;
  /** eks-cf creates measured until their nodes join (issue 11), and 4-node rotations (issue 12). */
  nodeRuns: number;
  rotationRuns: number;
  /** eks-cf creates whose stack wait is resumed by the stack's event (issue 17). */
  stackWaitRuns: number;
  /** Only these sections (`nodes`, `rotation`), on their own control plane; undefined: everything. */
  only?: string[];
  progress: (line: string) => void;
}

function git(repo: string): { commit: string; dirty: boolean } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' });
  return { commit: head.status === 0 ? head.stdout.trim() : 'unknown', dirty: status.status !== 0 || status.stdout.trim() !== '' };
}

async function measure(o: BenchOptions, startedAt: Date, environment: BenchResult['environment']): Promise<BenchResult> {
  const { progress } = o;
  progress(`relay at ${o.relaySizes.map((s) => s.toLocaleString('en-US')).join(' and ')} groups (its own test bed)`);
  const relay = await runRelayBench({ sizes: o.relaySizes, changes: o.relayChanges, rate: o.relayRate, log: (line) => progress(`relay: ${line}`) });

  progress(`bundles: size and ${o.bundleRuns} cold inits per function`);
  const bundles = await measureBundles(o.bundleRuns, (done, total) => (done % 10 === 0 || done === total ? progress(`bundles: ${done}/${total}`) : undefined));
  progress(`bundles: what Powertools costs ${POWERTOOLS_SAMPLE_FUNCTION}`);
  const powertools = { function: POWERTOOLS_SAMPLE_FUNCTION, rows: await powertoolsCost(o.bundleRuns) };

  progress('starting the local control plane');
  const sdk = new SdkRecorder();
  sdk.install();
  let plane: ControlPlane | undefined;
  let watch: GroupWatch | undefined;
  const { overrides, settledAt } = stackWaitOverrides();
  try {
    plane = await startControlPlane({ handlerOverrides: overrides, progress: (line) => progress(`control plane: ${line}`) });
    const h: Harness = { plane, watch: (watch = new GroupWatch(connectionFromKubeconfig(plane.kubeconfigPath))), sdk, executions: trackExecutions(plane) };
    await watch.start();
    await createNamespaces(plane, PROVISIONERS.map(namespaceFor));

    // One unmeasured lifecycle per provisioner first: kubectl's schema cache, the handlers' first imports and
    // moto's first calls per service would otherwise land in run 1 only.
    progress('warm-up: one unmeasured create, update, no-op, delete per provisioner');
    for (const p of PROVISIONERS) await measureLifecycle(h, p, 0, 'warmup');

    const samples: Sample[] = [];
    for (let run = 1; run <= o.runs; run++) {
      // Provisioners interleaved per run, so that drift in the machine's load spreads over all of them.
      for (const p of PROVISIONERS) samples.push(...(await measureLifecycle(h, p, run, 'group')));
      progress(`workflows: run ${run}/${o.runs} done`);
    }

    const nodeSections = await measureNodeSections(h, o, ['nodes', 'rotation']);
    const bare = await measureWithoutBoots(h, o, settledAt, { stackWaits: true, throughput: true });
    const throughput = bare.throughput!;
    const waits = waitFigures(o.repo, h.executions.values());

    const workflows = workflowFigures(samples);
    const deployment = readDeployment(o.repo);
    const loops = PROVISIONERS.flatMap((p) => [`${p}-apply`, `${p}-delete`]).flatMap((base) => pollLoopsOf(o.repo, base).map((l) => ({ workflow: base, ...l })));
    const finals = workflows.map((w) => w.finalToReadyMs);
    const finishedAt = new Date();
    return {
      formatVersion: FORMAT_VERSION,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      options: { quick: o.quick, runs: o.runs, relaySizes: o.relaySizes, relayChanges: o.relayChanges, relayRate: o.relayRate, bundleRuns: o.bundleRuns, throughputGroups: o.groups },
      environment,
      relay,
      workflows,
      overhead: {
        targetMs: OVERHEAD_TARGET_MS,
        pollIntervalS: Math.max(...loops.map((l) => l.intervalS)),
        pollLoops: loops,
        worstMedianMs: Math.max(...finals.map((s) => s.median)),
        worstMaxMs: Math.max(...finals.map((s) => s.max)),
        withinTarget: finals.every((s) => s.max <= OVERHEAD_TARGET_MS),
      },
      cost: {
        prices: { ...PRICES },
        assumptions: { ...ASSUMPTIONS },
        per1000Changes: costFigures(workflows, deployment),
        idleMonth: (({ alarms, metrics, total }) => ({ alarms, metrics, usd: total }))(idleMonth(deployment)),
        perPollPassPer1000: costPer1000(
          { transitions: loops[0]?.transitions ?? 0, invocationsByFunction: { 'poll-step': loops[0]?.invocations ?? 0 }, executions: 0, events: 0, starts: 0 },
          deployment,
        ).total,
      },
      bundles,
      powertools,
      createWaits: createWaitFigures(o.repo, workflows, deployment),
      throughput,
      ...nodeSections,
      stackWaits: bare.stackWaits!,
      waits,
    };
  } finally {
    watch?.stop();
    await plane?.stop();
    sdk.uninstall();
  }
}

/**
 * The sections measured with no instances booting, after the node sections: instance boots stop and the node-join
 * wait is off (check-nodes reads NODE_JOIN_WAIT per call). First the event-driven stack wait (lib/stack-waits.ts),
 * then throughput: 200 groups' instances booting at once swamp moto on this machine, and throughput measures the
 * control plane's handling of changes; node boots and joins are the nodes and rotation sections' subject.
 */
async function measureWithoutBoots(
  h: Harness,
  o: BenchOptions,
  settledAt: Map<string, number>,
  sections: { stackWaits: boolean; throughput: boolean },
): Promise<{ stackWaits?: StackWaitsFigure; throughput?: ThroughputResult }> {
  o.progress('instance boots stopped and the node-join wait off, for the stack waits and throughput');
  await h.plane.instanceBoots?.stop();
  const nodeJoinWait = process.env.NODE_JOIN_WAIT;
  process.env.NODE_JOIN_WAIT = 'off';
  try {
    let stackWaits: StackWaitsFigure | undefined;
    if (sections.stackWaits) {
      o.progress(`stack waits: ${o.stackWaitRuns} eks-cf creates whose stack settles after the wait began`);
      stackWaits = await measureStackWaits(h, o.stackWaitRuns, settledAt);
    }
    let throughput: ThroughputResult | undefined;
    if (sections.throughput) {
      o.progress(`throughput: ${o.groups} eks-cf groups in one kubectl apply`);
      throughput = await measureThroughput(h, o.groups, { progress: o.progress });
    }
    return { ...(stackWaits ? { stackWaits } : {}), ...(throughput ? { throughput } : {}) };
  } finally {
    if (nodeJoinWait === undefined) delete process.env.NODE_JOIN_WAIT;
    else process.env.NODE_JOIN_WAIT = nodeJoinWait;
  }
}

/** Issue 11 (`nodes`) and issue 12 (`rotation`), each when listed in `sections`. */
async function measureNodeSections(h: Harness, o: BenchOptions, sections: string[]): Promise<{ nodes?: NodesFigure; rotation?: RotationFigure }> {
  await createNamespaces(h.plane, [NODES_NAMESPACE]);
  const out: { nodes?: NodesFigure; rotation?: RotationFigure } = {};
  if (sections.includes('nodes')) {
    const samples: NodesSample[] = [];
    const nodeReady = new NodeReadyTimes(h.plane.kubeconfigPath);
    try {
      for (let run = 1; run <= o.nodeRuns; run++) {
        samples.push(await measureNodesReady(h, run, nodeReady));
        o.progress(`nodes: eks-cf create until NodesReady, run ${run}/${o.nodeRuns} done`);
      }
    } finally {
      await nodeReady.stop();
    }
    out.nodes = nodesFigure(samples);
  }
  if (sections.includes('rotation')) {
    const samples: RotationSample[] = [];
    for (let run = 1; run <= o.rotationRuns; run++) {
      samples.push(await measureRotation(h, run));
      o.progress(`rotation: 4 nodes replaced, run ${run}/${o.rotationRuns} done`);
    }
    out.rotation = rotationFigure(samples);
  }
  return out;
}

/**
 * `--only nodes,rotation,stack-waits,throughput`: those sections on one control plane (instance boots stop after the
 * node sections); writes <stem>-nodes.json (node sections only) or <stem>-only.json, and prints their rows.
 */
async function runOnly(o: BenchOptions, startedAt: Date, environment: BenchResult['environment']): Promise<number> {
  const sections = o.only!;
  const nodeSections = sections.filter((s) => s === 'nodes' || s === 'rotation');
  const sdk = new SdkRecorder();
  sdk.install();
  let plane: ControlPlane | undefined;
  let watch: GroupWatch | undefined;
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let figures: { nodes?: NodesFigure; rotation?: RotationFigure } = {};
  let throughput: ThroughputResult | undefined;
  let stackWaits: StackWaitsFigure | undefined;
  const executions: ExecutionHistory[] = [];
  try {
    o.progress('starting the local control plane');
    const { overrides, settledAt } = stackWaitOverrides();
    plane = await startControlPlane({ handlerOverrides: overrides, progress: (line) => o.progress(`control plane: ${line}`) });
    const h: Harness = { plane, watch: (watch = new GroupWatch(connectionFromKubeconfig(plane.kubeconfigPath))), sdk, executions: trackExecutions(plane) };
    await watch.start();
    if (nodeSections.length) figures = await measureNodeSections(h, o, nodeSections);
    if (sections.includes('throughput') || sections.includes('stack-waits')) {
      ({ throughput, stackWaits } = await measureWithoutBoots(h, o, settledAt, { stackWaits: sections.includes('stack-waits'), throughput: sections.includes('throughput') }));
    }
    executions.push(...h.executions.values());
  } finally {
    watch?.stop();
    await plane?.stop();
    sdk.uninstall();
    process.stdout.write = write;
  }
  const waits = waitFigures(o.repo, executions);
  const finishedAt = new Date();
  const result: PartialBenchResult = roundDeep({
    formatVersion: FORMAT_VERSION,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    options: { only: sections, nodeRuns: o.nodeRuns, rotationRuns: o.rotationRuns, ...(throughput ? { throughputGroups: o.groups } : {}), ...(stackWaits ? { stackWaitRuns: o.stackWaitRuns } : {}) },
    environment,
    ...figures,
    ...(stackWaits ? { stackWaits } : {}),
    ...(throughput ? { throughput } : {}),
    ...(waits.length ? { waits } : {}),
  });
  mkdirSync(o.out, { recursive: true });
  const json = path.join(o.out, `${resultStem(startedAt)}-${nodeSections.length === sections.length ? 'nodes' : 'only'}.json`);
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`instance-manager benchmark ${result.startedAt} (only ${sections.join(', ')}) · load ${environment.loadAverage1m.toFixed(2)} at start · git ${environment.git.commit.slice(0, 10)}${environment.git.dirty ? '+dirty' : ''}`);
  const rows = [
    ...nodeRows(result),
    ...(result.stackWaits ? stackWaitRows(result.stackWaits) : []),
    ...(result.waits ? waitRows(result.waits) : []),
    ...(result.throughput ? throughputRows(result.throughput) : []),
  ];
  console.log(['', ...tableLines(rows)].join('\n'));
  console.log(`\nwrote ${path.relative(process.cwd(), json)}`);
  const problems = checkNodeSections(JSON.parse(JSON.stringify(result)));
  if (problems.length) {
    console.error(`\nthe result does not match format ${FORMAT_VERSION}:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  return result.throughput ? throughputVerdict(result.throughput) : 0;
}

/** Losing or duplicating work is a correctness failure of the system (performance targets are only reported). */
function throughputVerdict(t: ThroughputFigure): number {
  if (!t.lost && !t.duplicated) return 0;
  console.error(`\nthroughput check failed: ${t.lost} of ${t.groups} groups lost, ${t.duplicated} duplicated`);
  for (const e of t.errors) console.error(`  ${e.group}: ${e.reason}`);
  return 1;
}

/** Runs everything; returns the process exit code (0, or 1 when groups were lost or duplicated). */
export async function runBench(o: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const environment: BenchResult['environment'] = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: os.totalmem() / 2 ** 30,
    loadAverage1m: os.loadavg()[0]!,
    git: git(o.repo),
  };
  if (environment.loadAverage1m > environment.cpus * 0.5) {
    o.progress(`note: load average ${environment.loadAverage1m.toFixed(2)} on ${environment.cpus} CPUs: other work on this machine skews the figures`);
  }
  if (o.only) return runOnly(o, startedAt, environment);
  // stdout carries the table only: while measuring, the components' JSON logs (the Lambda handlers log to stdout,
  // e.g. the aws-auth write conflicts they retry) go to stderr with the progress lines.
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let measured: BenchResult;
  try {
    measured = await measure(o, startedAt, environment);
  } finally {
    process.stdout.write = write;
  }
  const result = roundDeep(measured);
  const problems = checkResult(JSON.parse(JSON.stringify(result)));
  mkdirSync(o.out, { recursive: true });
  const stem = resultStem(startedAt);
  const json = path.join(o.out, `${stem}.json`);
  const svg = path.join(o.out, `${stem}.svg`);
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(svg, renderSvg(result));
  copyFileSync(json, path.join(o.out, 'latest.json'));
  copyFileSync(svg, path.join(o.out, 'latest.svg'));
  console.log(renderTable(result));
  console.log(`\nwrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), svg)} (and latest.json, latest.svg)`);
  if (problems.length) {
    console.error(`\nthe result does not match format ${FORMAT_VERSION}:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  return throughputVerdict(result.throughput);
}
