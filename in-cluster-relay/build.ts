// Bundles the relay into one ESM file for the container image (see Dockerfile). Runs under plain Node with type
// stripping:  node --experimental-strip-types in-cluster-relay/build.ts [outfile]
import { build, type Plugin } from 'esbuild';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * An esbuild plugin for our ESM bundles (this image and the Lambda functions, scripts/bundle.ts): node's built-in
 * modules are loaded with require() (the createRequire in each bundle's banner) instead of ESM imports. An ESM
 * import of a built-in builds its namespace by reading every export, which runs node's lazy getters: importing
 * `http` alone loads http2, zlib, perf_hooks, worker_threads and undici. Measured (bench/README.md): the relay
 * ~4-6 MB of RSS, a Lambda function 8-12 ms of cold init and ~3 MB. It lives here because the image's build stage
 * has only core/ and in-cluster-relay/ and runs this file with node's type stripping.
 */
export const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_][a-z0-9_/]*$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      // The require() in the stand-in module below stays external: the bundle's own require loads the built-in.
      return args.namespace === 'node-builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'node-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

export async function buildRelay(outfile: string): Promise<string> {
  await build({
    entryPoints: [path.join(here, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    sourcemap: true,
    minify: true,
    keepNames: true,
    legalComments: 'linked',
    plugins: [builtinsByRequire],
    // CommonJS dependencies and the built-ins (above) need a require in the ESM bundle.
    banner: { js: "import { createRequire as __relayRequire } from 'node:module'; const require = __relayRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildRelay(path.resolve(process.argv[2] ?? 'dist/relay/relay.mjs'));
  console.log(out);
}
