// Cold init of a Lambda bundle, as bench/bundles.ts and the Powertools cost table (lib/powertools-cost.ts) measure
// it: a fresh node process importing the bundle with the deployed functions' environment.
import { spawnSync } from 'node:child_process';
import { ROOT, type BundleResult } from '../../scripts/bundle.js';
import { observabilityEnvironment } from '../../scripts/package-aws.operations.js';

const DEPLOYED_ENV = observabilityEnvironment({ service: 'instance-manager', stage: 'bench' });

export const TARGET_BYTES = 500 * 1024;
export const TARGET_INIT_MS = 150;

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
