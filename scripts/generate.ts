// Regenerates every derived file: from core/schema the CRD and the TypeScript types; from statemachines/src the
// state machines' ASL (statemachines/*.asl.json).
// `--check` exits non-zero when a committed file differs from what would be generated.
import { readFile, writeFile } from 'node:fs/promises';
import { generatedFiles } from '../core/schema/generate.js';
import { generatedAslFiles } from '../statemachines/src/index.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, content } of [...(await generatedFiles()), ...generatedAslFiles()]) {
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
