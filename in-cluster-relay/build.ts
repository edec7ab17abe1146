// Bundles the relay into one ESM file for the container image (see Dockerfile). Runs under plain Node with type
// stripping:  node --experimental-strip-types in-cluster-relay/build.ts [outfile]
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

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
    // Some CommonJS dependencies require() Node built-ins; give the ESM bundle a require.
    banner: { js: "import { createRequire as __relayRequire } from 'node:module'; const require = __relayRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildRelay(path.resolve(process.argv[2] ?? 'dist/relay/relay.mjs'));
  console.log(out);
}
