// The state machines, each rendered into statemachines/<name>.asl.json: the files deployed and read in the console.
// `npm run generate` writes them; `npm run generate -- --check` (and a unit test) fails when one is stale.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aslText, renderMachine, type MachineDescription } from './kit/index.js';
import { FUNCTIONS } from './functions.js';
import eksCfApply from './eks-cf-apply.js';
import eksCfDelete from './eks-cf-delete.js';
import eksFargateApply from './eks-fargate-apply.js';
import eksFargateDelete from './eks-fargate-delete.js';
import eksManagedApply from './eks-managed-apply.js';
import eksManagedDelete from './eks-managed-delete.js';

export const MACHINES: readonly MachineDescription[] = [eksCfApply, eksCfDelete, eksFargateApply, eksFargateDelete, eksManagedApply, eksManagedDelete];

const STATE_MACHINES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every generated ASL file with the text it should have. */
export function generatedAslFiles(): { path: string; content: string }[] {
  return MACHINES.map((m) => {
    const table = FUNCTIONS[m.name];
    if (!table) throw new Error(`statemachines/src/functions.ts has no table for ${m.name}`);
    return { path: path.join(STATE_MACHINES_DIR, `${m.name}.asl.json`), content: aslText(renderMachine(m, table)) };
  });
}
