// The naming rule of core/names/functions.ts, enforced over the tree: every Task state's placeholder leads to a
// folder whose handler declares the step the placeholder names; every step folder serves some Task state; every
// top-level function folder is a listed event target; a step's handler is the one line that names it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  COMMON_FOLDER,
  folderForPlaceholder,
  functionFolders,
  functionId,
  kebab,
  pascal,
  placeholderBase,
  PROVISIONER_FOLDERS,
  stepFolder,
} from '../../../core/names/functions.js';
import { FUNCTIONS_DIR, loadAsl, STATE_MACHINES_DIR, taskBindings } from '../../../core/workflows/bindings.js';

/** The Lambdas no Task state runs; an EventBridge rule invokes each (serverless.yml, scripts/package-aws.config.ts). */
const EVENT_TARGETS = ['eks-cf-node-event', 'eks-cf-stack-event', 'report-execution-failure', 'start-workflow'];
/** Lambda's limit on a function name, checked with the default stage. */
const deployedName = (folder: string) => `instance-manager-prod-${functionId(folder)}`;

const machines = readdirSync(STATE_MACHINES_DIR).filter((f) => f.endsWith('.asl.json'));
const tasks = machines.flatMap((file) => taskBindings(loadAsl(file)).map((b) => ({ file, ...b })));

/** The `step('<scope>', '<Step Name>', logic)` a step's handler.ts declares. */
function declaredStep(folder: string): { scope: string; name: string; source: string } | undefined {
  const source = readFileSync(path.join(FUNCTIONS_DIR, folder, 'handler.ts'), 'utf8');
  const m = /export const handler = step\('([a-z-]+)', '([^']+)', \w+\);/.exec(source);
  return m ? { scope: m[1]!, name: m[2]!, source } : undefined;
}

describe('the function naming rule', () => {
  test('turns a step name into a folder, a placeholder and back', () => {
    expect(kebab('Check AWS References')).toBe('check-aws-references');
    expect(pascal('Check AWS References')).toBe('CheckAwsReferences');
    expect(stepFolder('eks-cf', 'Create Or Update Stack')).toBe('eks-cf/create-or-update-stack');
    expect(placeholderBase('eks-cf', 'Create Or Update Stack')).toBe('EksCfCreateOrUpdateStack');
    expect(placeholderBase(undefined, 'Report Status')).toBe('ReportStatus');
    expect(folderForPlaceholder('EksCfCreateOrUpdateStack')).toBe('eks-cf/create-or-update-stack');
    expect(folderForPlaceholder('EksFargateCheckAwsReferences')).toBe('eks-fargate/check-aws-references');
    expect(folderForPlaceholder('ReportStatus')).toBe('common/report-status');
    expect(functionId('eks-managed/update-node-group')).toBe('eks-managed-update-node-group');
    expect(functionId('common/report-status')).toBe('report-status');
    expect(functionId('start-workflow')).toBe('start-workflow');
  });

  test('finds the Task states of every state machine', () => {
    expect(machines.length).toBe(6);
    expect(tasks.length).toBeGreaterThan(30);
  });

  test.each(tasks.map((t) => [t.file, t.state, t.placeholder, t.folder] as const))(
    '%s "%s": ${%s} is functions/%s, whose handler declares that step',
    (_file, _state, placeholder, folder) => {
      const declared = declaredStep(folder);
      expect(declared).toBeDefined();
      const scope = folder.split('/')[0]!;
      expect(declared!.scope).toBe(scope);
      const provisioner = scope === COMMON_FOLDER ? undefined : scope;
      expect(stepFolder(provisioner, declared!.name)).toBe(folder);
      expect(`${placeholderBase(provisioner, declared!.name)}FunctionArn`).toBe(placeholder);
    },
  );

  test('every step folder serves some Task state, and every top-level function is a listed event target', () => {
    const used = new Set(tasks.map((t) => t.folder));
    const folders = functionFolders(FUNCTIONS_DIR);
    const steps = folders.filter((f) => f.includes('/'));
    expect(steps.filter((f) => !used.has(f))).toEqual([]);
    expect(steps.every((f) => [...PROVISIONER_FOLDERS, COMMON_FOLDER].includes(f.split('/')[0] as never))).toBe(true);
    expect(folders.filter((f) => !f.includes('/')).sort()).toEqual(EVENT_TARGETS);
    for (const target of EVENT_TARGETS) expect(declaredStep(target)).toBeUndefined();
  });

  test("a step's handler is the one line that names it, its step name reads in Title Case", () => {
    for (const folder of functionFolders(FUNCTIONS_DIR).filter((f) => f.includes('/'))) {
      const { name, source } = declaredStep(folder)!;
      const code = source.split('\n').filter((l) => l.trim() && !l.startsWith('import '));
      expect({ folder, code }).toEqual({ folder, code: [expect.stringMatching(/^export const handler = step\(/)] });
      expect({ folder, name }).toEqual({ folder, name: expect.stringMatching(/^[A-Z][A-Za-z]*( ([A-Z][A-Za-z]*|And|Or|For|If))*$/) });
    }
  });

  test('every deployed function name fits Lambda’s 64 characters', () => {
    const long = functionFolders(FUNCTIONS_DIR).map(deployedName).filter((n) => n.length > 64);
    expect(long).toEqual([]);
  });
});
