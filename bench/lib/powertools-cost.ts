// What Powertools costs one function: its bundle and cold init as deployed, then rebuilt with one Powertools package
// (or all three) swapped for a do-nothing module (bench/lib/powertools-off). The differences are each package's
// share of the bundle and of the cold start, measured the same way as the deployed bundles (bench/bundles.ts).
import path from 'node:path';
import { bundleFunction, ROOT } from '../../scripts/bundle.js';
import { initSample, median, type InitSample } from './cold-init.js';

const OFF = './bench/lib/powertools-off';
const PACKAGES = { Tracer: 'tracer', Metrics: 'metrics', Logger: 'logger' } as const;
type Part = keyof typeof PACKAGES;

/** The function whose figures are shown: AWS-only, one SDK client, every Powertools package in use. */
export const POWERTOOLS_SAMPLE_FUNCTION = 'eks-fargate-update-tags';

export interface PowertoolsCostRow {
  /** 'as deployed', 'without Tracer', ..., 'without Powertools'. */
  variant: string;
  bytes: number;
  /** Medians of the cold inits: wall time, and the CPU time the process spent in the import. */
  initMs: number;
  initCpuMs: number;
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
  const built = [];
  for (const [variant, parts] of variants) {
    const outDir = path.join(ROOT, 'dist', 'bench', 'powertools', variant.replace(/[^a-z]+/gi, '-'));
    built.push({ variant, bundle: await bundleFunction(name, { outDir, alias: aliasesWithout(parts) }) });
  }
  // Variants interleaved run by run, so that a change in the machine's load falls on all of them alike.
  const samples = built.map(() => [] as InitSample[]);
  for (let run = 0; run < runs; run++) built.forEach((b, i) => samples[i]!.push(initSample(b.bundle.outfile)));
  return built.map((b, i) => ({
    variant: b.variant,
    bytes: b.bundle.bytes,
    initMs: median(samples[i]!.map((s) => s.wallMs)),
    initCpuMs: median(samples[i]!.map((s) => s.cpuMs)),
  }));
}

export function powertoolsTable(rows: PowertoolsCostRow[], name = POWERTOOLS_SAMPLE_FUNCTION): string {
  const base = rows[0]!;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const signed = (n: number, unit: string) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(0)} ${unit}`;
  const lines = [
    `What Powertools costs (${name}): the deployed bundle, then without each package; "share" is what the deployed bundle carries over the variant`,
    '| variant | bundle | init (wall) | init (CPU) | share: size | wall | CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const share = r === base ? ['', '', ''] : [signed((base.bytes - r.bytes) / 1024, 'KB'), signed(base.initMs - r.initMs, 'ms'), signed(base.initCpuMs - (r.initCpuMs ?? 0), 'ms')];
    lines.push(`| ${r.variant} | ${kb(r.bytes)} | ${ms(r.initMs)} | ${r.initCpuMs === undefined ? '' : ms(r.initCpuMs)} | ${share.join(' | ')} |`);
  }
  return lines.join('\n');
}
