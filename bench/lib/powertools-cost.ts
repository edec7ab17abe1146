// What Powertools costs one function: its bundle and cold init as deployed, then rebuilt with one Powertools package
// (or all three) swapped for a do-nothing module (bench/lib/powertools-off). The differences are each package's
// share of the bundle and of the cold start, measured the same way as the deployed bundles (bench/bundles.ts).
import path from 'node:path';
import { bundleFunction, ROOT } from '../../scripts/bundle.js';
import { coldInit } from '../bundles.js';

const OFF = './bench/lib/powertools-off';
const PACKAGES = { Tracer: 'tracer', Metrics: 'metrics', Logger: 'logger' } as const;
type Part = keyof typeof PACKAGES;

/** The function whose figures are shown: AWS-only, one SDK client, every Powertools package in use. */
export const POWERTOOLS_SAMPLE_FUNCTION = 'eks-fargate-update-tags';

export interface PowertoolsCostRow {
  /** 'as deployed', 'without Tracer', ..., 'without Powertools'. */
  variant: string;
  bytes: number;
  initMs: number;
}

const aliasesWithout = (parts: Part[]) =>
  Object.fromEntries(parts.map((p) => [`@aws-lambda-powertools/${PACKAGES[p]}`, `${OFF}/${PACKAGES[p]}`]));

export async function powertoolsCost(runs: number, name = POWERTOOLS_SAMPLE_FUNCTION): Promise<PowertoolsCostRow[]> {
  const variants: [string, Part[]][] = [
    ['as deployed', []],
    ['without Tracer (and aws-xray-sdk-core)', ['Tracer']],
    ['without Metrics', ['Metrics']],
    ['without Logger', ['Logger']],
    ['without Powertools', ['Tracer', 'Metrics', 'Logger']],
  ];
  const rows: PowertoolsCostRow[] = [];
  for (const [variant, parts] of variants) {
    const outDir = path.join(ROOT, 'dist', 'bench', 'powertools', variant.replace(/[^a-z]+/gi, '-'));
    const b = await bundleFunction(name, { outDir, alias: aliasesWithout(parts) });
    rows.push({ variant, bytes: b.bytes, initMs: coldInit(b.outfile, runs) });
  }
  return rows;
}

export function powertoolsTable(rows: PowertoolsCostRow[], name = POWERTOOLS_SAMPLE_FUNCTION): string {
  const base = rows[0]!;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const signed = (n: number, unit: string, digits = 0) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)} ${unit}`;
  const lines = [
    `What Powertools costs (${name}; the "Powertools" columns are what the deployed bundle carries over each variant)`,
    '| variant | bundle | init | Powertools share: size | init |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const share = r === base ? ['', ''] : [signed((base.bytes - r.bytes) / 1024, 'KB'), signed(base.initMs - r.initMs, 'ms')];
    lines.push(`| ${r.variant} | ${kb(r.bytes)} | ${r.initMs.toFixed(0)} ms | ${share[0]} | ${share[1]} |`);
  }
  return lines.join('\n');
}
