// Cost from measured counts at AWS list prices. The prices and the assumptions that are not measured here (billed
// Lambda duration, log volume, traces) are the ones docs/operations/cost.md states; the deployment facts (memory
// per function, alarms and their metrics) are read from serverless.yml and the generator that completes it
// (scripts/package-aws.config.ts), so the figures follow the deployed configuration.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { buildResources, type FunctionSettings, type GeneratorInput } from '../../scripts/package-aws.config.js';

/** AWS list prices, US East (N. Virginia) / US West (Oregon), no free tiers (docs/operations/cost.md). */
export const PRICES = {
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1e6,
  lambdaPerGbSecondArm64: 0.0000133334,
  eventBridgePerCustomEvent: 1.0 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  cloudWatchAlarmPerMetricMonth: 0.1,
  cloudWatchLogsPerGbIngested: 0.5,
  xrayPerTrace: 5.0 / 1e6,
} as const;

/** What docs/operations/cost.md assumes and a local run cannot measure. */
export const ASSUMPTIONS = {
  /** Average billed duration per invocation in AWS (cold starts, AWS API round trips): local durations are not it. */
  lambdaBilledMsPerInvocation: 400,
  logBytesPerInvocation: 2048,
  /** One X-Ray trace per Lambda invocation and per execution. */
  tracesPerInvocation: 1,
  tracesPerExecution: 1,
} as const;

export const PRICE_LINES = [
  'Step Functions Standard $0.025 per 1,000 state transitions',
  'Lambda arm64 $0.20 per 1M requests + $0.0000133334 per GB-s',
  'EventBridge custom events $1.00 per 1M',
  'SQS $0.40 per 1M requests',
  'CloudWatch alarms $0.10 per metric per month',
  'CloudWatch Logs $0.50 per GB ingested',
  'X-Ray $5.00 per 1M traces',
  'no free tiers',
];

export interface Deployment {
  /** Memory (MB) per function folder. */
  memoryMb: Record<string, number>;
  defaultMemoryMb: number;
  /** Alarms in the stack and the metrics each is billed for. */
  alarms: { name: string; metrics: number }[];
}

type Json = Record<string, unknown>;

/** Parses serverless.yml, keeping CloudFormation short-form intrinsics (!Sub, !Ref, ...) as opaque values. */
function loadServerlessYml(file: string): Json {
  const names = ['Ref', 'Sub', 'GetAtt', 'Join', 'Split', 'If', 'Not', 'Equals', 'And', 'Or', 'Select', 'ImportValue', 'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'Condition'];
  const customTags = names.flatMap((name) =>
    (['scalar', 'seq', 'map'] as const).map((kind) => ({
      tag: `!${name}`,
      ...(kind === 'scalar' ? {} : { collection: kind }),
      resolve: (value: unknown) => ({ [`Fn::${name}`]: (value as { toJSON?: () => unknown })?.toJSON?.() ?? value }),
    })),
  );
  return parse(readFileSync(file, 'utf8'), { customTags: customTags as never }) as Json;
}

function metricsOf(alarm: { Properties?: Json }): number {
  const metrics = alarm.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
  return metrics ? metrics.filter((m) => m.MetricStat).length : 1;
}

export function readDeployment(repoRoot: string): Deployment {
  const yml = loadServerlessYml(path.join(repoRoot, 'serverless.yml'));
  const im = ((yml.custom as Json | undefined)?.im ?? {}) as {
    functionDefaults?: GeneratorInput['defaults'];
    functions?: Record<string, FunctionSettings | null>;
    logRetentionInDays?: number;
  };
  const defaults = im.functionDefaults ?? { memorySize: 256, timeout: 60 };
  const functions = Object.fromEntries(Object.entries(im.functions ?? {}).map(([k, v]) => [k, v ?? {}]));
  const memoryMb = Object.fromEntries(Object.entries(functions).map(([k, v]) => [k, v.memorySize ?? defaults.memorySize]));

  const alarms: Deployment['alarms'] = [];
  const staticResources = ((yml.resources as Json[] | undefined) ?? []).flatMap((r) => (typeof r === 'object' && r?.Resources ? [r.Resources as Json] : []));
  const generated = buildResources({
    service: String(yml.service ?? 'instance-manager'),
    stage: 'bench',
    region: 'us-west-2',
    defaults,
    functions,
    clusterNames: [],
    logRetentionInDays: Number(im.logRetentionInDays ?? 30),
  }).Resources as Json;
  for (const resources of [...staticResources, generated]) {
    for (const [id, r] of Object.entries(resources)) {
      const res = r as { Type?: string; Properties?: Json };
      if (res.Type === 'AWS::CloudWatch::Alarm') alarms.push({ name: id, metrics: metricsOf(res) });
    }
  }
  return { memoryMb, defaultMemoryMb: defaults.memorySize, alarms };
}

/** What one change costs, as measured (per change, medians). */
export interface ChangeCounts {
  transitions: number;
  /** Lambda invocations inside the executions, by function folder. */
  invocationsByFunction: Record<string, number>;
  executions: number;
  /** Events the relay put on the bus. */
  events: number;
  /** start-workflow invocations (one per event a rule delivers). */
  starts: number;
}

export interface CostLine {
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  eventBridge: number;
  sqs: number;
  logs: number;
  xray: number;
  total: number;
}

/** USD per 1,000 changes with these counts. */
export function costPer1000(counts: ChangeCounts, deployment: Deployment): CostLine {
  const n = 1000;
  const invocations = Object.values(counts.invocationsByFunction).reduce((a, b) => a + b, 0) + counts.starts;
  const gbSeconds =
    Object.entries(counts.invocationsByFunction).reduce((sum, [fn, k]) => sum + k * (deployment.memoryMb[fn] ?? deployment.defaultMemoryMb), 0) / 1024 +
    (counts.starts * (deployment.memoryMb['start-workflow'] ?? deployment.defaultMemoryMb)) / 1024;
  const line = {
    stepFunctions: n * counts.transitions * PRICES.stepFunctionsPerTransition,
    lambdaRequests: n * invocations * PRICES.lambdaPerRequest,
    lambdaDuration: n * gbSeconds * (ASSUMPTIONS.lambdaBilledMsPerInvocation / 1000) * PRICES.lambdaPerGbSecondArm64,
    eventBridge: n * counts.events * PRICES.eventBridgePerCustomEvent,
    // In AWS the rules invoke start-workflow directly; the two queues are dead-letter queues that nothing polls.
    sqs: 0,
    logs: (n * invocations * ASSUMPTIONS.logBytesPerInvocation * PRICES.cloudWatchLogsPerGbIngested) / 2 ** 30,
    xray: n * (invocations * ASSUMPTIONS.tracesPerInvocation + counts.executions * ASSUMPTIONS.tracesPerExecution) * PRICES.xrayPerTrace,
  };
  return { ...line, total: Object.values(line).reduce((a, b) => a + b, 0) };
}

/** USD for a month with no changes: only the alarms are billed. */
export function idleMonth(deployment: Deployment): { alarms: number; metrics: number; total: number } {
  const metrics = deployment.alarms.reduce((a, b) => a + b.metrics, 0);
  const total = metrics * PRICES.cloudWatchAlarmPerMetricMonth;
  return { alarms: deployment.alarms.length, metrics, total };
}
