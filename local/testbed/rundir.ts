// Run directories: <repo>/.testbed-logs/<timestamp>-p<pid>-<rand>/ holds one run's logs and data; the newest
// runs are kept after stop, older ones pruned (never one whose owning process is still alive).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunDirOwnerAlive } from './process.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function runsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.IM_TESTBED_LOGS_DIR || path.join(REPO_ROOT, '.testbed-logs');
}

export function createRunDir(root = runsRoot()): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*/, '');
  const dir = path.join(root, `${stamp}-p${process.pid}-${randomBytes(3).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes all but the `keep` newest run directories under root; returns the removed paths. */
export function pruneRunDirs(root = runsRoot(), keep = 10): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.sort().reverse().slice(keep)) {
    const dir = path.join(root, name);
    if (isRunDirOwnerAlive(dir)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
