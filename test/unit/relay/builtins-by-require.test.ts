// Our ESM bundles load node's built-ins with require(): an ESM import of `http` would run node's lazy getters and
// load http2, undici and more that nothing uses (in-cluster-relay/build.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { builtinsByRequire } from '../../../in-cluster-relay/build.js';

const BANNER = "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);";
const ENTRY = `
import http from 'node:http';
import { request } from 'https';
import { readFileSync } from 'node:fs';
const unused = ['http2', 'internal/deps/undici/undici', 'worker_threads'].filter((m) => process.moduleLoadList.includes('NativeModule ' + m));
console.log(JSON.stringify({ http: typeof http.request, https: typeof request, fs: typeof readFileSync, unused }));
`;

async function bundleAndRun(plugins: typeof builtinsByRequire[]): Promise<{ http: string; https: string; fs: string; unused: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'builtins-'));
  try {
    writeFileSync(path.join(dir, 'entry.ts'), ENTRY);
    const outfile = path.join(dir, 'out.mjs');
    await build({ entryPoints: [path.join(dir, 'entry.ts')], outfile, bundle: true, platform: 'node', format: 'esm', plugins, banner: { js: BANNER }, logLevel: 'silent' });
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as { http: string; https: string; fs: string; unused: string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('builtinsByRequire', () => {
  it('gives the bundle working built-ins, with or without the node: prefix, without the modules ESM imports drag in', async () => {
    expect(await bundleAndRun([builtinsByRequire])).toEqual({ http: 'function', https: 'function', fs: 'function', unused: [] });
  });

  it('is needed: the same bundle with ESM imports loads http2, undici and worker_threads', async () => {
    const withoutPlugin = await bundleAndRun([]);
    expect(withoutPlugin.unused).toEqual(expect.arrayContaining(['http2', 'internal/deps/undici/undici']));
  });
});
