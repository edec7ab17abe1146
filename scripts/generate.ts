// Regenerates every file derived from core/schema: the CRD and the TypeScript types.
// `--check` exits non-zero when a committed file differs from what would be generated.
import { readFile, writeFile } from 'node:fs/promises';
import { generatedFiles } from '../core/schema/generate.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, content } of await generatedFiles()) {
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current === content) continue;
  if (check) {
    console.error(`stale: ${path} (run npm run generate)`);
    stale++;
  } else {
    await writeFile(path, content);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
