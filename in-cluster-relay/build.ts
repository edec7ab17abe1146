// Bundles the relay into one ESM file for the container image (see Dockerfile). Runs under plain Node with type
// stripping:  node --experimental-strip-types in-cluster-relay/build.ts [outfile]
import { build, type Plugin } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Node's built-in modules are loaded with require() (the banner's createRequire), not with ESM imports. An ESM
 * import of a built-in builds its namespace by reading every export, and that runs node's lazy getters: importing
 * `node:http` alone loads http2, zlib, perf_hooks, worker_threads and undici, ~6.5 MB of RSS the relay never uses
 * (bench/README.md, relay memory).
 */
export const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
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
