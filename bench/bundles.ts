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
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFunction, functionNames, ROOT } from '../scripts/bundle.js';
import { coldInit, talksToKubernetes, TARGET_BYTES, TARGET_INIT_MS } from './lib/cold-init.js';
import { powertoolsCost, powertoolsTable } from './lib/powertools-cost.js';

export interface Row {
  name: string;
  kubernetes: boolean;
  bytes: number;
  initMs: number;
  externalBytes: number;
  externalInitMs: number;
}

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
  console.log(`\n${powertoolsTable(await powertoolsCost(runs))}`);
}
