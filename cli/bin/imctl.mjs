#!/usr/bin/env node
// imctl launcher: runs cli/main.ts through tsx (from node_modules), on the repository's Node 22 when the Node
// running this is older.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const node22 = path.join(root, 'node_modules', 'node', 'bin', 'node');
if (Number(process.versions.node.split('.')[0]) < 22 && existsSync(node22) && !process.env.IMCTL_REEXEC) {
  const child = spawnSync(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, IMCTL_REEXEC: '1' } });
  process.exit(child.status ?? 1);
}
const { register } = await import('tsx/esm/api');
register();
const { run } = await import(pathToFileURL(path.join(root, 'cli', 'main.ts')).href);
process.exitCode = await run(process.argv.slice(2));
