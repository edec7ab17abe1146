// Over 350 lines on purpose: one file holds the whole result format (types, version, structural check), so a
// reader comparing two result files has one place to look.
// The result file of `npm run bench` (bench/results/<timestamp>.json and latest.json): its types, its version and
// a structural check. The format is documented in bench/README.md; results of different runs are compared field by
// field, so a change that renames, removes or re-means a field must bump FORMAT_VERSION (adding a field need not).
import type { NodesFigure, RotationFigure } from './nodes-figures.js';
import type { CostLine } from './cost.js';
import type { CreateWaitFigure } from './create-waits.js';
import type { PowertoolsCostRow } from './powertools-cost.js';
import type { Provisioner, Scenario } from './manifests.js';
import { round, type Summary } from './stats.js';
import type { Sample } from './workflows.js';
import type { WaitFigure } from './waits.js';
import type { StackWaitsFigure } from './stack-waits.js';

export const FORMAT_VERSION = 1;

export interface RelayFigure {
  groups: number;
  rssAfterStartupMb: number;
  /** Idle, at least 20 s after start-up: what the pod shows from then on. */
  rssSettledMb: number;
  /** Of rssSettledMb: pages of mapped files (node's binary, shared libraries) and anonymous memory (heaps, malloc). */
  rssSettledFileMb: number;
  rssSettledAnonMb: number;
  rssPeakMb: number;
  startupS: number;
  eventsAtStartup: number;
  changesForwarded: number;
  /** Relay CPU per forwarded change, minus the CPU of an idle phase as long as the update phase. */
  cpuPerChangeMs: number;
  cpuPerChangeRawMs: number;
  /** Watch event → PutEvents acknowledged, minus the PutEvents round trip. */
  overheadP50Ms: number;
  overheadP95Ms: number;
  putEventsP50Ms: number;
}

export interface WorkflowFigure {
  provisioner: Provisioner;
  scenario: Scenario;
  /** What the scenario's manifest changes. */
  change: string;
  runs: number;
  transitions: Summary;
  lambdaInvocations: Summary;
  historyEvents: Summary;
  executions: Summary;
  eventsPut: Summary;
  workflowStarts: Summary;
  awsCalls: Summary;
  awsWrites: Summary;
  wallMs: Summary;
  kubectlMs: Summary;
  controlPlaneMs: Summary;
  emulatorMs: Summary;
  finalToReadyMs: Summary;
  waitStatesMs: Summary;
  /** Lambda invocations per function in the median run (by wall time). */
  invocationsByFunction: Record<string, number>;
  /** The last call on the group's resource in the median run, and what it returned. */
  finalCall: string;
  samples: Sample[];
}

export interface OverheadFigure {
  /** The event-driven part: the last AWS call on the resource → Ready observed. */
  targetMs: number;
  /** The Wait of the workflows' poll loops (from the ASL): the bound where the wait is a poll. */
  pollIntervalS: number;
  /** Per workflow, one pass of its poll loop as the ASL defines it (what AWS adds per interval in progress). */
  pollLoops: { workflow: string; waitState: string; intervalS: number; transitions: number; invocations: number }[];
  worstMedianMs: number;
  worstMaxMs: number;
  withinTarget: boolean;
}

export interface CostFigure {
  prices: Record<string, number>;
  assumptions: Record<string, number>;
  per1000Changes: { provisioner: Provisioner; scenario: Scenario; usd: CostLine }[];
  idleMonth: { alarms: number; metrics: number; usd: number };
  /** USD per 1,000 changes for each poll pass AWS adds (3 transitions, 1 invocation of a default-memory function). */
  perPollPassPer1000: number;
}

export interface BundleFigure {
  function: string;
  kubernetes: boolean;
  bytes: number;
  initMs: Summary;
  /** Targets apply to functions that do not talk to Kubernetes. */
  meetsTargets?: boolean;
}

export interface ThroughputFigure {
  provisioner: string;
  groups: number;
  /** kubectl apply started → the last group Ready. */
  allReadyS: number;
  /** kubectl apply started → each group Ready. */
  readyS: Summary;
  /** kubectl apply's own duration (one request per object). */
  kubectlS: number;
  /** Groups that did not reach Ready (in Error, or still not Ready at the timeout). */
  lost: number;
  /** Groups with more than one apply execution for their generation. */
  duplicated: number;
  /** Why the lost groups are not Ready: their Ready condition (reason: message), or "not settled". */
  errors: { group: string; reason: string }[];
  executions: number;
  /** StackSummaries of the groups' stacks that are not deleted. */
  stacks: number;
  eventsPut: number;
  /** The events put, by the change's reason: more than one per group means the relay sent a change again. */
  eventsByReason: Record<string, number>;
  workflowStarts: number;
  /** Lambda attempts that failed, whether then retried (e.g. aws-auth write conflicts between groups) or caught. */
  failedLambdaAttempts: number;
  /** AWS SDK calls the SDK itself sent more than once (timeouts, 5xx under load), by command. */
  sdkRetries: Record<string, number>;
  transitions: number;
  /** Time during the run when at least one PutEvents call was in flight in moto. */
  putEventsBusyS: number;
  /** Time during the run when at least one handler call to moto was in flight. */
  handlerCallsBusyS: number;
}

export interface BenchResult {
  formatVersion: typeof FORMAT_VERSION;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  options: {
    quick: boolean;
    runs: number;
    relaySizes: number[];
    relayChanges: number;
    relayRate: number;
    bundleRuns: number;
    throughputGroups: number;
  };
  environment: {
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    /** 1-minute load average when the run started: other work on the machine skews every figure. */
    loadAverage1m: number;
    git: { commit: string; dirty: boolean };
  };
  relay: RelayFigure[];
  workflows: WorkflowFigure[];
  overhead: OverheadFigure;
  cost: CostFigure;
  bundles: BundleFigure[];
  throughput: ThroughputFigure;
  /** Issue 11: eks-cf create, stack settled → NodesReady True. Absent from files written before it was measured. */
  nodes?: NodesFigure;
  /** Issue 12: an instance-type change of a 4-node eks-cf group. Absent from files written before it was measured. */
  rotation?: RotationFigure;
  /** Issue 17: eks-cf stack waits resumed by the stack's event, stack settled → Ready. */
  stackWaits?: StackWaitsFigure;
  /** Issue 17: how each wait ended and how long it took. */
  waits?: WaitFigure[];
  /** Issue 17: transitions, invocations and cost per create, without a wait and with a simulated 4-minute one. */
  createWaits?: CreateWaitFigure[];
  /** Issue 15: one function's bundle and cold init without each Powertools package. */
  powertools?: { function: string; rows: PowertoolsCostRow[] };
}

/** What `npm run bench -- --only nodes,rotation` writes: the run's header and the sections it measured. */
export type PartialBenchResult = Pick<BenchResult, 'formatVersion' | 'startedAt' | 'finishedAt' | 'durationS' | 'environment'> & {
  options: { only: string[]; nodeRuns: number; rotationRuns: number; throughputGroups?: number; stackWaitRuns?: number };
  nodes?: NodesFigure;
  rotation?: RotationFigure;
  stackWaits?: StackWaitsFigure;
  throughput?: ThroughputFigure;
  waits?: WaitFigure[];
};

/** 2026-11-27T13:40:15.123Z → 2026-11-27T13-40-15Z: sortable, and valid in every file system. */
export function resultStem(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

// ---------------------------------------------------------------------------------------------------------------
// Structural check

type Problems = string[];

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function num(p: Problems, obj: Record<string, unknown>, key: string, where: string): void {
  if (typeof obj[key] !== 'number' || !Number.isFinite(obj[key] as number)) p.push(`${where}.${key}: expected a finite number, got ${JSON.stringify(obj[key])}`);
}

function str(p: Problems, obj: Record<string, unknown>, key: string, where: string): void {
  if (typeof obj[key] !== 'string') p.push(`${where}.${key}: expected a string, got ${JSON.stringify(obj[key])}`);
}

function summary(p: Problems, obj: Record<string, unknown>, key: string, where: string): void {
  const s = obj[key];
  const at = `${where}.${key}`;
  if (!isObject(s)) {
    p.push(`${at}: expected a summary {n, median, min, max, p90}`);
    return;
  }
  for (const k of ['n', 'median', 'min', 'max', 'p90']) num(p, s, k, at);
  const { n, median, min, max, p90 } = s as unknown as Summary;
  if (typeof n === 'number' && n < 1) p.push(`${at}.n: at least one sample`);
  if ([median, min, max, p90].every((v) => typeof v === 'number') && !(min <= median && median <= max && min <= p90 && p90 <= max)) {
    p.push(`${at}: expected min ≤ median, p90 ≤ max (got ${JSON.stringify(s)})`);
  }
}

function list(p: Problems, obj: Record<string, unknown>, key: string, where: string, each: (item: Record<string, unknown>, at: string) => void): void {
  const v = obj[key];
  if (!Array.isArray(v)) {
    p.push(`${where}.${key}: expected an array`);
    return;
  }
  v.forEach((item, i) => {
    const at = `${where}.${key}[${i}]`;
    if (isObject(item)) each(item, at);
    else p.push(`${at}: expected an object`);
  });
}

/** The WorkflowFigure fields that are summaries of the runs. */
export const WORKFLOW_SUMMARIES = [
  'transitions',
  'lambdaInvocations',
  'historyEvents',
  'executions',
  'eventsPut',
  'workflowStarts',
  'awsCalls',
  'awsWrites',
  'wallMs',
  'kubectlMs',
  'controlPlaneMs',
  'emulatorMs',
  'finalToReadyMs',
  'waitStatesMs',
] as const;

const RELAY_NUMBERS = [
  'groups',
  'rssAfterStartupMb',
  'rssSettledMb',
  'rssSettledFileMb',
  'rssSettledAnonMb',
  'rssPeakMb',
  'startupS',
  'eventsAtStartup',
  'changesForwarded',
  'cpuPerChangeMs',
  'cpuPerChangeRawMs',
  'overheadP50Ms',
  'overheadP95Ms',
  'putEventsP50Ms',
] as const;

const THROUGHPUT_NUMBERS = [
  'groups',
  'allReadyS',
  'kubectlS',
  'lost',
  'duplicated',
  'executions',
  'stacks',
  'eventsPut',
  'workflowStarts',
  'failedLambdaAttempts',
  'transitions',
  'putEventsBusyS',
  'handlerCallsBusyS',
] as const;

const COST_LINE = ['stepFunctions', 'lambdaRequests', 'lambdaDuration', 'eventBridge', 'sqs', 'logs', 'xray', 'total'] as const;

/** Everything that is wrong with a parsed result file, for this FORMAT_VERSION; empty when it conforms. */
export function checkResult(value: unknown): string[] {
  const p: Problems = [];
  if (!isObject(value)) return ['the result is not a JSON object'];
  if (value.formatVersion !== FORMAT_VERSION) return [`formatVersion: expected ${FORMAT_VERSION}, got ${JSON.stringify(value.formatVersion)}`];
  for (const k of ['startedAt', 'finishedAt']) {
    str(p, value, k, '$');
    if (typeof value[k] === 'string' && Number.isNaN(Date.parse(value[k] as string))) p.push(`$.${k}: not a date`);
  }
  num(p, value, 'durationS', '$');

  if (!isObject(value.options)) p.push('$.options: expected an object');
  else {
    if (typeof value.options.quick !== 'boolean') p.push('$.options.quick: expected a boolean');
    for (const k of ['runs', 'relayChanges', 'relayRate', 'bundleRuns', 'throughputGroups']) num(p, value.options, k, '$.options');
    if (!Array.isArray(value.options.relaySizes)) p.push('$.options.relaySizes: expected an array');
  }
  if (!isObject(value.environment)) p.push('$.environment: expected an object');
  else {
    for (const k of ['node', 'platform', 'arch', 'cpuModel']) str(p, value.environment, k, '$.environment');
    for (const k of ['cpus', 'memoryGb', 'loadAverage1m']) num(p, value.environment, k, '$.environment');
    if (!isObject(value.environment.git)) p.push('$.environment.git: expected an object');
  }

  list(p, value, 'relay', '$', (r, at) => RELAY_NUMBERS.forEach((k) => num(p, r, k, at)));
  list(p, value, 'workflows', '$', (w, at) => {
    for (const k of ['provisioner', 'scenario', 'change', 'finalCall']) str(p, w, k, at);
    num(p, w, 'runs', at);
    WORKFLOW_SUMMARIES.forEach((k) => summary(p, w, k, at));
    if (!isObject(w.invocationsByFunction)) p.push(`${at}.invocationsByFunction: expected an object`);
    if (!Array.isArray(w.samples)) p.push(`${at}.samples: expected an array`);
    else if (typeof w.runs === 'number' && w.samples.length !== w.runs) p.push(`${at}.samples: expected ${w.runs} samples, got ${w.samples.length}`);
  });

  if (!isObject(value.overhead)) p.push('$.overhead: expected an object');
  else {
    for (const k of ['targetMs', 'pollIntervalS', 'worstMedianMs', 'worstMaxMs']) num(p, value.overhead, k, '$.overhead');
    list(p, value.overhead, 'pollLoops', '$.overhead', (l, at) => {
      str(p, l, 'workflow', at);
      for (const k of ['intervalS', 'transitions', 'invocations']) num(p, l, k, at);
    });
    if (typeof value.overhead.withinTarget !== 'boolean') p.push('$.overhead.withinTarget: expected a boolean');
  }

  if (!isObject(value.cost)) p.push('$.cost: expected an object');
  else {
    if (!isObject(value.cost.prices)) p.push('$.cost.prices: expected an object');
    if (!isObject(value.cost.assumptions)) p.push('$.cost.assumptions: expected an object');
    list(p, value.cost, 'per1000Changes', '$.cost', (c, at) => {
      str(p, c, 'provisioner', at);
      str(p, c, 'scenario', at);
      if (!isObject(c.usd)) p.push(`${at}.usd: expected an object`);
      else COST_LINE.forEach((k) => num(p, c.usd as Record<string, unknown>, k, `${at}.usd`));
    });
    const idle = value.cost.idleMonth;
    if (!isObject(idle)) p.push('$.cost.idleMonth: expected an object');
    else ['alarms', 'metrics', 'usd'].forEach((k) => num(p, idle, k, '$.cost.idleMonth'));
    num(p, value.cost, 'perPollPassPer1000', '$.cost');
  }

  list(p, value, 'bundles', '$', (b, at) => {
    str(p, b, 'function', at);
    if (typeof b.kubernetes !== 'boolean') p.push(`${at}.kubernetes: expected a boolean`);
    num(p, b, 'bytes', at);
    summary(p, b, 'initMs', at);
  });

  if (!isObject(value.throughput)) p.push('$.throughput: expected an object');
  p.push(...checkNodeSections(value));
  return p;
}

/** The node sections (issues 11 and 12), the throughput section and the waits (issue 17), when present. */
export function checkNodeSections(value: Record<string, unknown>): string[] {
  const p: string[] = [];
  const { throughput } = value;
  if (throughput !== undefined) {
    if (!isObject(throughput)) p.push('$.throughput: expected an object');
    else {
      str(p, throughput, 'provisioner', '$.throughput');
      THROUGHPUT_NUMBERS.forEach((k) => num(p, throughput, k, '$.throughput'));
      summary(p, throughput, 'readyS', '$.throughput');
      if (!Array.isArray(throughput.errors)) p.push('$.throughput.errors: expected an array');
      if (!isObject(throughput.sdkRetries)) p.push('$.throughput.sdkRetries: expected an object');
      if (!isObject(throughput.eventsByReason)) p.push('$.throughput.eventsByReason: expected an object');
    }
  }
  if (value.stackWaits !== undefined) {
    if (!isObject(value.stackWaits)) p.push('$.stackWaits: expected an object');
    else {
      num(p, value.stackWaits, 'runs', '$.stackWaits');
      summary(p, value.stackWaits, 'settledToReadyMs', '$.stackWaits');
    }
  }
  if (value.waits !== undefined) {
    list(p, value, 'waits', '$', (w, at) => {
      for (const k of ['workflow', 'state', 'kind', 'endedBy']) str(p, w, k, at);
      num(p, w, 'n', at);
      summary(p, w, 'ms', at);
    });
  }
  const { nodes, rotation } = value;
  if (nodes !== undefined) {
    if (!isObject(nodes)) p.push('$.nodes: expected an object');
    else {
      ['runs', 'nodes'].forEach((k) => num(p, nodes, k, '$.nodes'));
      ['stackSettledToNodesReadyMs', 'checkNodesPolls', 'waitStatesMs', 'wallMs'].forEach((k) => summary(p, nodes, k, '$.nodes'));
      if (nodes.nodeReadyToNodesReadyMs !== undefined) summary(p, nodes, 'nodeReadyToNodesReadyMs', '$.nodes');
    }
  }
  if (rotation !== undefined) {
    if (!isObject(rotation)) p.push('$.rotation: expected an object');
    else {
      ['runs', 'nodes'].forEach((k) => num(p, rotation, k, '$.rotation'));
      ['wallMs', 'transitions', 'lambdaInvocations', 'transitionsPerNode', 'lambdaInvocationsPerNode', 'mapIterations', 'replacementPolls', 'drainPasses'].forEach((k) => summary(p, rotation, k, '$.rotation'));
      if (!isObject(rotation.invocationsByFunction)) p.push('$.rotation.invocationsByFunction: expected an object');
    }
  }
  return p;
}

/**
 * Rounds every number in a result (deeply): to `digits` decimals from 1 up, to 6 significant digits below 1 (prices
 * per request, cost per change). Stable files, readable diffs, no precision that was never measured.
 */
export function roundDeep<T>(value: T, digits = 3): T {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Number.isInteger(value)) return value;
    return (Math.abs(value) >= 1 ? round(value, digits) : Number(value.toPrecision(6))) as T;
  }
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits)) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)])) as T;
  return value;
}
