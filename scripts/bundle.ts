// Bundles every Lambda step (functions/<step>/handler.ts) into dist/functions/<step>/index.mjs with esbuild:
// ESM, minified, Node 22, AWS SDK included so the deployed code runs the exact versions that were tested.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FUNCTIONS_DIR = path.join(ROOT, 'functions');
export const DIST_DIR = path.join(ROOT, 'dist', 'functions');

/** Every folder under functions/ that holds a handler.ts is one Lambda function. */
export async function functionNames(): Promise<string[]> {
  const entries = await readdir(FUNCTIONS_DIR, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const handler = path.join(FUNCTIONS_DIR, entry.name, 'handler.ts');
    if (await stat(handler).then(() => true, () => false)) names.push(entry.name);
  }
  return names.sort();
}

export interface BundleResult {
  name: string;
  outfile: string;
  bytes: number;
  metafile: Metafile;
}

export async function bundleFunction(name: string): Promise<BundleResult> {
  const outfile = path.join(DIST_DIR, name, 'index.mjs');
  const result = await build({
    entryPoints: [path.join(FUNCTIONS_DIR, name, 'handler.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    metafile: true,
    legalComments: 'none',
    logLevel: 'error',
    // ESM bundles need a require() for the CommonJS dependencies they inline.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes ?? (await stat(outfile)).size;
  return { name, outfile, bytes, metafile: result.metafile };
}

export async function bundleAll(): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const name of await functionNames()) results.push(await bundleFunction(name));
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const r of await bundleAll()) console.log(`${r.name.padEnd(32)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KB`);
}
