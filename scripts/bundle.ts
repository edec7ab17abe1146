// Bundles every Lambda function (a folder with a handler.ts; core/names/functions.ts) into
// dist/functions/<function id>/index.mjs with esbuild:
// ESM, minified, Node 22, AWS SDK included so the deployed code runs the exact versions that were tested. A source
// map (index.mjs.map, without the sources' text) ships beside it; the functions run with
// NODE_OPTIONS=--enable-source-maps, so stack traces name our TypeScript files and lines.
//
// Packages are resolved through their ESM entry points first ("module" before "main"): the AWS SDK v3 clients ship
// dist-es builds that esbuild can tree-shake, which takes a CloudFormation-only function from ~520 KB to ~320 KB.
// `sdk: 'external'` leaves @aws-sdk/* out (they would come from the nodejs22.x runtime); bench/bundles.ts measures
// both, and bench/README.md says why the deployed bundles keep the SDK in.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { functionFoldersById } from '../core/names/functions.js';
import { builtinsByRequire } from '../in-cluster-relay/build.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FUNCTIONS_DIR = path.join(ROOT, 'functions');
export const DIST_DIR = path.join(ROOT, 'dist', 'functions');

/** Every function's id (eks-cf-create-or-update-stack, report-status, start-workflow): one Lambda each. */
export async function functionNames(): Promise<string[]> {
  return [...functionFoldersById(FUNCTIONS_DIR).keys()].sort();
}

/**
 * Modules swapped in every bundle (paths relative to ROOT):
 * - the SDK's default credential chain becomes the environment alone, which is where Lambda puts the role's
 *   credentials (functions/kit/lambda-credentials.ts says why);
 * - yaml resolves to its ES module build (the same version and code, which its package.json serves to every
 *   platform but Node): the CommonJS build cannot be tree-shaken, so every eks-cf step that reaches the template
 *   module carried all of it (112 KB in Check Stack Progress, which never renders a template).
 */
export const LAMBDA_ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': './functions/kit/lambda-credentials.ts',
  yaml: './node_modules/yaml/browser/index.js',
};

export interface BundleOptions {
  /** 'bundle' (default): the AWS SDK is inside the bundle. 'external': @aws-sdk/* is left to the Lambda runtime. */
  sdk?: 'bundle' | 'external';
  /** Output root (default dist/functions); the bundle goes to <outDir>/<name>/index.mjs. */
  outDir?: string;
  /** More module swaps on top of LAMBDA_ALIASES (bench only: bench/lib/powertools-cost.ts). */
  alias?: Record<string, string>;
}

export interface BundleResult {
  name: string;
  outfile: string;
  /** Size of index.mjs (the source map beside it is not counted: Node reads it only to map a stack trace). */
  bytes: number;
  metafile: Metafile;
}

export async function bundleFunction(name: string, options: BundleOptions = {}): Promise<BundleResult> {
  const outfile = path.join(options.outDir ?? DIST_DIR, name, 'index.mjs');
  const result = await build({
    entryPoints: [path.join(FUNCTIONS_DIR, functionFoldersById(FUNCTIONS_DIR).get(name) ?? name, 'handler.ts')],
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: options.sdk === 'external' ? ['@aws-sdk/*'] : [],
    alias: { ...LAMBDA_ALIASES, ...options.alias },
    metafile: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'error',
    plugins: [builtinsByRequire],
    // ESM bundles need a require() for the CommonJS dependencies they inline and node's built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const bytes = result.metafile.outputs[path.relative(ROOT, outfile)]?.bytes ?? (await stat(outfile)).size;
  return { name, outfile, bytes, metafile: result.metafile };
}

export async function bundleAll(options: BundleOptions = {}): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const name of await functionNames()) results.push(await bundleFunction(name, options));
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const r of await bundleAll()) console.log(`${r.name.padEnd(40)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KB`);
}
