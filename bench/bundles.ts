// npm run bench:bundles [-- --runs 7]
//
// Bundle size and cold init per Lambda function, measured locally. Each function is bundled twice with
// scripts/bundle.ts: as deployed (AWS SDK inside) and with @aws-sdk/* left external (what relying on the nodejs22.x
// runtime's SDK would load, resolved here from node_modules). Cold init = a fresh `node` process importing the
// bundle, with the deployed functions' environment (source maps on): module load plus the handler's module-level
// initialisation (middy, loggers, eager SDK clients); nothing is invoked. Median of --runs processes (default 5).
//
// Targets, for functions that do not talk to Kubernetes: bundle ≤ 500 KB minified, init < 150 ms. The size counted
// is index.mjs, the code Node parses; the source map ships beside it in the zip (index.mjs.map, no sources' text):
// its bytes are not counted, the time Node takes to read it at load (--enable-source-maps) is in the init figure. Then what Powertools costs one function (lib/powertools-cost.ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFunction, functionNames, ROOT, type BundleResult } from '../scripts/bundle.js';
import { observabilityEnvironment } from '../scripts/package-aws.operations.js';

const DEPLOYED_ENV = observabilityEnvironment({ service: 'instance-manager', stage: 'bench' });

export const TARGET_BYTES = 500 * 1024;
export const TARGET_INIT_MS = 150;

export interface Row {
  name: string;
  kubernetes: boolean;
  bytes: number;
  initMs: number;
  externalBytes: number;
  externalInitMs: number;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export interface InitSample {
  /** Wall time of the import. */
  wallMs: number;
  /** CPU time (user + system) the process spent in it: less swayed than wall time by other work on the machine. */
  cpuMs: number;
}

/** One fresh node process importing the bundle. */
export function initSample(file: string): InitSample {
  const script =
    `const c=process.cpuUsage();const t=performance.now();const m=await import(${JSON.stringify(file)});` +
    `if(typeof m.handler!=='function')throw new Error('no handler export');` +
    `const w=performance.now()-t;const u=process.cpuUsage(c);process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1000}));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    // The deployed functions' Powertools settings and NODE_OPTIONS=--enable-source-maps (Node reads the map as it loads).
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-west-2', LOG_LEVEL: 'error', ...(DEPLOYED_ENV as Record<string, string>) },
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`${file}: init failed: ${r.stderr.split('\n').filter((l) => l.trim()).slice(-8).join('\n').slice(-2000)}`);
  return JSON.parse(r.stdout) as InitSample;
}

/** Milliseconds a fresh node process takes to import the bundle (median of `runs`). */
export function coldInit(file: string, runs: number): number {
  return median(Array.from({ length: runs }, () => initSample(file).wallMs));
}

/** Whether the bundle contains the Kubernetes access module (core/kube/access.ts). */
export const talksToKubernetes = (b: BundleResult) => Object.keys(b.metafile.inputs).some((f) => f.endsWith('core/kube/access.ts'));

export async function measure(runs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of await functionNames()) {
    const bundled = await bundleFunction(name, { outDir: path.join(ROOT, 'dist', 'bench', 'bundled') });
    const external = await bundleFunction(name, { outDir: path.join(ROOT, 'dist', 'bench', 'sdk-external'), sdk: 'external' });
    rows.push({
      name,
      kubernetes: talksToKubernetes(bundled),
      bytes: bundled.bytes,
      initMs: coldInit(bundled.outfile, runs),
      externalBytes: external.bytes,
      externalInitMs: coldInit(external.outfile, runs),
    });
  }
  return rows;
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

export function table(rows: Row[]): string {
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const lines = [
    '| function | talks to | bundled (deployed) | init | SDK external | init | target ≤ 500 KB, < 150 ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const target = r.kubernetes
      ? 'n/a (Kubernetes client; reported)'
      : `size ${mark(r.bytes <= TARGET_BYTES)} init ${mark(r.initMs < TARGET_INIT_MS)}`;
    lines.push(
      `| ${r.name} | ${r.kubernetes ? 'AWS + Kubernetes' : 'AWS only'} | ${kb(r.bytes)} | ${ms(r.initMs)} | ${kb(r.externalBytes)} | ${ms(r.externalInitMs)} | ${target} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
  const rows = await measure(runs);
  console.log(`node ${process.version}, ${process.arch}; median of ${runs} fresh processes per cell\n`);
  console.log(table(rows));
  const awsOnly = rows.filter((r) => !r.kubernetes);
  const misses = awsOnly.filter((r) => r.bytes > TARGET_BYTES || r.initMs >= TARGET_INIT_MS).map((r) => r.name);
  console.log(`\nAWS-only functions meeting both targets: ${awsOnly.length - misses.length}/${awsOnly.length}${misses.length ? ` (not: ${misses.join(', ')})` : ''}`);
  const { powertoolsCost, powertoolsTable } = await import('./lib/powertools-cost.js');
  console.log(`\n${powertoolsTable(await powertoolsCost(runs))}`);
}
