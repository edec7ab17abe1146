// Over 350 lines on purpose: the relay bench is one script that a person runs on its own; its test-bed set-up,
// the relay process it starts and the figures it reads from that process belong together.
// Benchmark of the in-cluster relay on the test bed (real kube-apiserver, moto as EventBridge).
//   npx tsx bench/relay.ts [--sizes 1000,10000] [--changes 300] [--rate 50]
//     [--node-options "..."] [--node-flags "..."] [--variants "label=flags;label=flags"] [--rounds 1] [--settle-s 20]
// --node-flags go on node's command line before the bundle, as the image's ENTRYPOINT puts them (default: the
// Dockerfile's); V8 flags such as --optimize-for-size are refused in NODE_OPTIONS but accepted there.
// --variants compares flag sets A/B on one test bed ("NAME=value" tokens go into the environment instead): every
// size's groups are created once and each variant's relay runs on them in turn, --rounds times (RSS moves ±5 MB
// with GC timing, so one run per variant says little).
// (`npm run bench` calls runRelayBench() for the same figures.)
// For each size: N InstanceGroups already in sync (our finalizer, status observed), then the relay, as the
// container runs it (the esbuild bundle, NODE_OPTIONS as in the Deployment, the ENTRYPOINT's node flags), starts; then spec updates arrive at
// a steady rate. Measured from the relay's own /metrics and logs:
// - resident memory after start-up and at the end (target: at most 64 MB at 10,000, issue 17);
// - CPU time per forwarded change (the relay's process CPU over the update phase / changes forwarded, minus
//   the CPU of an idle phase of the same length);
// - watch event → PutEvents acknowledged, minus the PutEvents round trip (target: median at most 5 ms);
// - events sent at start-up (target 0).
// The bus has no rules: moto takes ~90 ms per entry it delivers to a target, which would only measure moto.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parseAllDocuments } from 'yaml';
import { connectionFromKubeconfig } from '../core/kube/connection.js';
import { KubeRest } from '../core/kube/rest.js';
import { FINALIZER } from '../core/names/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import { buildRelay } from '../in-cluster-relay/build.js';
import { startTestBed } from '../local/testbed/index.js';
import type { RelayFigure } from './lib/format.js';
import { parse } from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GROUPS = '/apis/instancemgr.keikoproj.io/v1alpha1';
const REGION = 'us-west-2';
const BUS = 'instance-manager-bench';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
// As in infra/k8s/relay/deployment.yaml.
export const DEPLOYMENT_NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=1';

/** The flags between node and the bundle in in-cluster-relay/Dockerfile's ENTRYPOINT, so the bench runs what ships. */
export function imageNodeFlags(dockerfile = path.join(REPO, 'in-cluster-relay/Dockerfile')): string[] {
  const line = fs.readFileSync(dockerfile, 'utf8').split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error(`${dockerfile}: no ENTRYPOINT line`);
  const argv = JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
  return argv.slice(1, -1);
}

/** The ENV lines of in-cluster-relay/Dockerfile's last stage (e.g. glibc's malloc settings), so the bench runs what ships. */
export function imageEnv(dockerfile = path.join(REPO, 'in-cluster-relay/Dockerfile')): Record<string, string> {
  const lines = fs.readFileSync(dockerfile, 'utf8').split('\n');
  const lastStage = lines.findLastIndex((l) => l.startsWith('FROM '));
  const env: Record<string, string> = {};
  for (const l of lines.slice(lastStage)) {
    if (!l.startsWith('ENV ')) continue;
    for (const pair of l.slice('ENV '.length).trim().split(/\s+/)) {
      const [key, ...value] = pair.split('=');
      env[key!] = value.join('=');
    }
  }
  return env;
}

/** "NAME=value" tokens of a variant are environment variables; the rest are node flags. */
export function splitVariantTokens(tokens: string[]): { env: Record<string, string>; flags: string[] } {
  const env: Record<string, string> = {};
  const flags: string[] = [];
  for (const token of tokens) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(token);
    if (m) env[m[1]!] = m[2]!;
    else flags.push(token);
  }
  return { env, flags };
}

/** One way of starting the relay: NODE_OPTIONS plus flags on node's command line before the bundle. */
export interface RelayVariant {
  label: string;
  nodeOptions: string;
  nodeFlags: string[];
  /** The process environment on top of the image's ENV (default: the image's). */
  env?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function retry<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= tries) throw error;
      await sleep(100 * i);
    }
  }
}

function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function metric(text: string, name: string): number {
  const m = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'));
  return (m ?? []).reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

export interface RelayBenchOptions {
  /** Numbers of InstanceGroups in sync before the relay starts (default 1,000 and 10,000). */
  sizes?: number[];
  /** Spec updates in the update phase (default 300). */
  changes?: number;
  /** Updates per second (default 50). */
  rate?: number;
  /** The relay process's NODE_OPTIONS (default: the Deployment's). */
  nodeOptions?: string;
  /** Flags on node's command line before the bundle (default: the image ENTRYPOINT's). */
  nodeFlags?: string[];
  /** Several ways of starting the relay, each run on the same groups (overrides nodeOptions and nodeFlags). */
  variants?: RelayVariant[];
  /** How many times each variant runs per size, round-robin (default 1). */
  rounds?: number;
  /** The settled RSS is read this long after start-up at the earliest, no GC forced (default 20 s). */
  settleS?: number;
  /** Progress lines (default: stderr, prefixed [bench]). */
  log?: (line: string) => void;
}

/** One size's figures for one variant's run, unrounded. */
export type RelayBenchResult = RelayFigure & { variant: string };

/** The process's resident memory split into file-backed and anonymous pages (/proc/<pid>/status). */
function residentParts(pid: number): { fileMb: number; anonMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { fileMb: kb('RssFile') / 1024, anonMb: kb('RssAnon') / 1024 };
}

/** Runs the benchmark on a test bed of its own (started and stopped here) and returns one result per size. */
export async function runRelayBench(options: RelayBenchOptions = {}): Promise<RelayBenchResult[]> {
  const SIZES = options.sizes ?? [1000, 10000];
  const CHANGES = options.changes ?? 300;
  const RATE = options.rate ?? 50;
  const variants = options.variants ?? [
    { label: 'as shipped', nodeOptions: options.nodeOptions ?? DEPLOYMENT_NODE_OPTIONS, nodeFlags: options.nodeFlags ?? imageNodeFlags() },
  ];
  const ROUNDS = options.rounds ?? 1;
  const SETTLE_MS = (options.settleS ?? 20) * 1000;
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench] ${line}\n`));
  const bed = await startTestBed({ log });
  const rows: RelayBenchResult[] = [];
  try {
    const admin = new KubeRest(connectionFromKubeconfig(bed.kube!.kubeconfigPath));
    const create = async (file: string) => {
      const plural: Record<string, string> = {
        Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', ClusterRole: 'clusterroles', ClusterRoleBinding: 'clusterrolebindings',
        Role: 'roles', RoleBinding: 'rolebindings', CustomResourceDefinition: 'customresourcedefinitions',
      };
      for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const obj = doc.toJSON() as { apiVersion: string; kind: string; metadata: { namespace?: string } };
        if (!plural[obj.kind]) continue;
        const prefix = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
        await admin.request('POST', `${prefix}${obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : ''}/${plural[obj.kind]}`, { body: obj });
      }
    };
    await create(path.join(REPO, 'infra/k8s/crd.yaml'));
    for (const f of ['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml']) await create(path.join(REPO, 'infra/k8s/relay', f));
    for (let i = 0; ; i++) {
      try {
        await admin.get(`${GROUPS}/instancegroups`);
        break;
      } catch (error) {
        if (i > 100) throw error;
        await sleep(100);
      }
    }
    const eventBridge = new EventBridgeClient({ region: REGION, endpoint: bed.moto!.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await eventBridge.send(new CreateEventBusCommand({ Name: BUS }));
    const bundle = await buildRelay(path.join(bed.runDir, 'relay-bundle', 'relay.mjs'));
    const sample = parse(fs.readFileSync(path.join(REPO, 'test/fixtures/reference/eks-cf.yaml'), 'utf8')) as InstanceGroup;

    for (const size of SIZES) {
      const ns = `bench-${size}`;
      await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
      log(`${size}: creating groups in sync`);
      const t0 = performance.now();
      const names = Array.from({ length: size }, (_, i) => `group-${String(i).padStart(5, '0')}`);
      await pool(names, 48, async (name) => {
        const body = structuredClone(sample);
        body.metadata = { name, namespace: ns, finalizers: [FINALIZER] } as InstanceGroup['metadata'];
        const created = await retry(() => admin.request<InstanceGroup>('POST', `${GROUPS}/namespaces/${ns}/instancegroups`, { body }));
        await retry(() =>
          admin.request('PATCH', `${GROUPS}/namespaces/${ns}/instancegroups/${name}/status`, {
            contentType: 'application/merge-patch+json',
            body: {
              status: {
                currentState: 'Ready',
                observedGeneration: created.metadata.generation,
                lastExecution: { generation: created.metadata.generation, operation: 'apply', attempt: 1, result: 'Succeeded' },
              },
            },
          }),
        );
      });
      log(`${size}: created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      const targets = Array.from({ length: CHANGES }, (_, i) => names[(i * 7919) % names.length]!);
      let run = 0; // each run patches new values: a patch that changes nothing makes no watch event
      for (let round = 0; round < ROUNDS; round++) for (const variant of variants) {
        const started = performance.now();
        const child = spawn(process.execPath, [...variant.nodeFlags, bundle], {
          env: {
            ...imageEnv(),
            ...variant.env,
            PATH: process.env.PATH,
            NODE_OPTIONS: variant.nodeOptions,
            KUBECONFIG: bed.kube!.kubeconfigFor('relay'),
            EVENT_BUS_NAME: BUS,
            AWS_REGION: REGION,
            AWS_ACCESS_KEY_ID: 'x',
            AWS_SECRET_ACCESS_KEY: 'y',
            AWS_ENDPOINT_URL: bed.moto!.url,
            CLUSTER_NAME: 'bench',
            POD_NAME: `bench-relay-${size}`,
            WATCH_NAMESPACES: ns,
            RESYNC_PERIOD: '1h',
            HEALTH_PORT: '0',
            LEASE_DURATION: '4s',
            LEASE_RENEW_DEADLINE: '3s',
            LEASE_RETRY_PERIOD: '1s',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const forwarded: { latencyMs: number; putEventsMs: number }[] = [];
        let port = 0;
        let buffer = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) {
            if (!line.startsWith('{')) continue;
            const entry = JSON.parse(line) as { message: string; port?: number; latencyMs?: number; putEventsMs?: number };
            if (entry.message === 'relay started') port = entry.port!;
            if (entry.message === 'change forwarded' && entry.latencyMs !== undefined) forwarded.push({ latencyMs: entry.latencyMs, putEventsMs: entry.putEventsMs! });
          }
        });
        const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        try {
          // Start-up: ready (first list done), leading, and the start-up pass done.
          for (;;) {
            if (port) {
              const text = await scrape().catch(() => '');
              if (metric(text, 'relay_leader') === 1 && metric(text, 'relay_resyncs_total') >= 1) break;
            }
            if (performance.now() - started > 120_000) throw new Error('relay did not start');
            await sleep(50);
          }
          const startupMs = performance.now() - started;
          await sleep(1000);
          const afterStart = await scrape();
          const startupEvents = metric(afterStart, 'relay_events_published_total') + metric(afterStart, 'relay_events_pending');
          const rssStart = metric(afterStart, 'process_resident_memory_bytes');

          // Idle CPU over as long as the update phase will take, to subtract.
          const phaseMs = (CHANGES / RATE) * 1000;
          const idleCpu0 = metric(await scrape(), 'process_cpu_seconds_total');
          await sleep(phaseMs);
          const idleEnd = await scrape();
          const idleCpu = metric(idleEnd, 'process_cpu_seconds_total') - idleCpu0;
          // V8's memory reducer hands back the start-up list's garbage some 8-10 s after the relay goes idle; the
          // settled figure is what a pod shows from then on (kubectl top), the start-up one its transient.
          await sleep(Math.max(0, startupMs + SETTLE_MS - (performance.now() - started)));
          const rssSettled = metric(await scrape(), 'process_resident_memory_bytes');
          const settledParts = residentParts(child.pid!);

          log(`${size} [${variant.label}]: ${CHANGES} spec updates at ${RATE}/s`);
          const cpu0 = metric(await scrape(), 'process_cpu_seconds_total');
          const published0 = metric(await scrape(), 'relay_events_published_total');
          let rssPeak = rssStart;
          const t1 = performance.now();
          for (let i = 0; i < targets.length; i++) {
            const due = t1 + (i * 1000) / RATE;
            const wait = due - performance.now();
            if (wait > 0) await sleep(wait);
            void retry(() =>
              admin.request('PATCH', `${GROUPS}/namespaces/${ns}/instancegroups/${targets[i]}`, {
                contentType: 'application/merge-patch+json',
                body: { spec: { 'eks-cf': { maxSize: 4 + run * CHANGES + i } } },
              }),
            );
          }
          for (;;) {
            const text = await scrape();
            rssPeak = Math.max(rssPeak, metric(text, 'process_resident_memory_bytes'));
            if (metric(text, 'relay_events_published_total') - published0 >= CHANGES) break;
            if (performance.now() - t1 > phaseMs + 60_000) throw new Error('not every change was forwarded');
            await sleep(100);
          }
          const end = await scrape();
          const updateCpu = metric(end, 'process_cpu_seconds_total') - cpu0;
          const changes = metric(end, 'relay_events_published_total') - published0;
          const overhead = forwarded.slice(-changes).map((f) => f.latencyMs - f.putEventsMs);
          const rtt = forwarded.slice(-changes).map((f) => f.putEventsMs);
          rssPeak = Math.max(rssPeak, metric(end, 'process_resident_memory_bytes'));
          rows.push({
            variant: variant.label,
            rssSettledMb: rssSettled / 2 ** 20,
            rssSettledFileMb: settledParts.fileMb,
            rssSettledAnonMb: settledParts.anonMb,
            groups: size,
            rssAfterStartupMb: rssStart / 2 ** 20,
            rssPeakMb: rssPeak / 2 ** 20,
            startupS: startupMs / 1000,
            eventsAtStartup: startupEvents,
            changesForwarded: changes,
            cpuPerChangeMs: ((updateCpu - idleCpu) * 1000) / changes,
            cpuPerChangeRawMs: (updateCpu * 1000) / changes,
            overheadP50Ms: quantile(overhead, 0.5),
            overheadP95Ms: quantile(overhead, 0.95),
            putEventsP50Ms: quantile(rtt, 0.5),
          });
        } finally {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        }
        run++;
        const row = rows[rows.length - 1]!;
        log(`${size} [${variant.label}]: ${JSON.stringify(row)}`);
        // Back in sync, so the next variant's relay starts on the same state (no changes pending at start-up).
        await pool([...new Set(targets)], 16, async (name) => {
          const current = await retry(() => admin.get<InstanceGroup>(`${GROUPS}/namespaces/${ns}/instancegroups/${name}`));
          const generation = current.metadata.generation;
          await retry(() =>
            admin.request('PATCH', `${GROUPS}/namespaces/${ns}/instancegroups/${name}/status`, {
              contentType: 'application/merge-patch+json',
              body: { status: { observedGeneration: generation, lastExecution: { generation, operation: 'apply', attempt: 1, result: 'Succeeded' } } },
            }),
          );
        });
      }
    }
  } finally {
    await bed.stop();
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const CHANGES = Number(arg('changes', '300'));
  const RATE = Number(arg('rate', '50'));
  const NODE_OPTIONS = arg('node-options', DEPLOYMENT_NODE_OPTIONS);
  const flags = (text: string) => text.split(/\s+/).filter(Boolean);
  const NODE_FLAGS = process.argv.includes('--node-flags') ? flags(arg('node-flags', '')) : imageNodeFlags();
  // "label=flags;label=flags": flags go on the command line, NAME=value tokens into the environment; NODE_OPTIONS
  // stays --node-options for all.
  const variants = process.argv.includes('--variants')
    ? arg('variants', '').split(';').filter(Boolean).map((v) => {
        const [label, ...rest] = v.split('=');
        const { env, flags: nodeFlags } = splitVariantTokens(flags(rest.join('=')));
        return { label: label!.trim(), nodeOptions: NODE_OPTIONS, nodeFlags, env };
      })
    : undefined;
  const results = await runRelayBench({
    sizes: arg('sizes', '1000,10000').split(',').map(Number),
    changes: CHANGES,
    rate: RATE,
    nodeOptions: NODE_OPTIONS,
    nodeFlags: NODE_FLAGS,
    variants,
    rounds: Number(arg('rounds', '1')),
    settleS: Number(arg('settle-s', '20')),
  });
  const rows: Record<string, string | number>[] = results.map((r) => ({
    variant: r.variant,
    groups: r.groups,
    'RSS after start-up (MB)': r.rssAfterStartupMb.toFixed(1),
    'RSS settled (MB)': r.rssSettledMb.toFixed(1),
    'of it files / anon (MB)': `${r.rssSettledFileMb.toFixed(1)} / ${r.rssSettledAnonMb.toFixed(1)}`,
    'RSS peak (MB)': r.rssPeakMb.toFixed(1),
    'start-up (s)': r.startupS.toFixed(2),
    'events at start-up': r.eventsAtStartup,
    'changes forwarded': r.changesForwarded,
    'CPU/change (ms)': r.cpuPerChangeMs.toFixed(3),
    'CPU/change raw (ms)': r.cpuPerChangeRawMs.toFixed(3),
    'overhead p50 (ms)': r.overheadP50Ms.toFixed(2),
    'overhead p95 (ms)': r.overheadP95Ms.toFixed(2),
    'PutEvents p50 (ms)': r.putEventsP50Ms.toFixed(2),
  }));

  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(
    `\nin-cluster relay benchmark (${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}, NODE_OPTIONS="${NODE_OPTIONS}"${variants ? '' : `, flags "${NODE_FLAGS.join(' ')}"`}; ${CHANGES} updates at ${RATE}/s)`,
  );
  console.log(line(columns));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(columns.map((c) => String(r[c]))));
  console.log('targets: RSS <= 64 MB at 10,000; overhead p50 <= 5 ms; 0 events at start-up');
}
