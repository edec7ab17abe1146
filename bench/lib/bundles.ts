// Bundle size and cold init per function, as deployed (AWS SDK inside the bundle), with bench/bundles.ts's own
// measurement: each cold-init sample is a fresh node process importing the bundle. `npm run bench:bundles` also
// measures the SDK-external variant; the system benchmark reports what is deployed.
import path from 'node:path';
import { coldInit, talksToKubernetes, TARGET_BYTES, TARGET_INIT_MS } from './cold-init.js';
import { bundleFunction, functionNames, ROOT } from '../../scripts/bundle.js';
import type { BundleFigure } from './format.js';
import { summarize } from './stats.js';

export { TARGET_BYTES, TARGET_INIT_MS };

export async function measureBundles(runs: number, progress?: (done: number, total: number) => void): Promise<BundleFigure[]> {
  const out: BundleFigure[] = [];
  const names = await functionNames();
  for (const name of names) {
    const bundled = await bundleFunction(name, { outDir: path.join(ROOT, 'dist', 'bench', 'bundled') });
    const samples = Array.from({ length: runs }, () => coldInit(bundled.outfile, 1));
    const kubernetes = talksToKubernetes(bundled);
    const initMs = summarize(samples);
    out.push({
      function: name,
      kubernetes,
      bytes: bundled.bytes,
      initMs,
      ...(kubernetes ? {} : { meetsTargets: bundled.bytes <= TARGET_BYTES && initMs.median < TARGET_INIT_MS }),
    });
    progress?.(out.length, names.length);
  }
  return out;
}
