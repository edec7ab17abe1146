// Which function each state machine step runs, by the repository's convention:
//   "Resource": "${EksCfCreateOrUpdateStackFunctionArn}"  ↔  functions/eks-cf/create-or-update-stack/handler.ts,
//   "${ReportStatusFunctionArn}"  ↔  functions/common/report-status/handler.ts (export `handler`; core/names/functions.ts)
// and which workflows exist: statemachines/<provisioner>-<apply|delete>.asl.json. The packaging (scripts/package-aws*)
// turns these bindings into Lambda ARNs; the local runtime (local/workflows) imports the handlers they name. Lives in
// core because both sides need it and neither may import the other. Reads files: never import it from functions/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Operation } from '../events/index.js';
import { folderForPlaceholder } from '../names/functions.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FUNCTIONS_DIR = path.join(REPO_ROOT, 'functions');
export const STATE_MACHINES_DIR = path.join(REPO_ROOT, 'statemachines');

const PLACEHOLDER = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/;
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

export interface TaskBinding {
  /** The Task state's name. */
  state: string;
  /** e.g. EksCfApplyStackFunctionArn (without `${}`). */
  placeholder: string;
  /** Function folder under functions/, e.g. eks-cf-apply-stack. */
  folder: string;
  /** functions/<folder>/handler.ts, absolute. */
  handlerPath: string;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface StateMachineFile {
  /** Absolute path of the .asl.json file. */
  file: string;
  /** e.g. eks-cf-apply */
  base: string;
  provisioner: string;
  operation: Operation;
}

/** "EksCfApplyStack" → "eks-cf-apply-stack"; "ReportStatus" → "report-status". */
/** "EksCfCreateOrUpdateStack" → "eks-cf/create-or-update-stack"; "ReportStatus" → "common/report-status" (core/names/functions.ts). */
export const folderFor = folderForPlaceholder;

export function loadAsl(file: string): AslDefinition {
  const resolved = path.isAbsolute(file) ? file : path.join(STATE_MACHINES_DIR, file);
  return JSON.parse(readFileSync(resolved, 'utf8')) as AslDefinition;
}

/** statemachines/<provisioner>-<apply|delete>.asl.json, sorted; any other .asl.json name is an error. */
export function stateMachineFiles(root = STATE_MACHINES_DIR): StateMachineFile[] {
  return readdirSync(root)
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((file) => {
      const base = file.slice(0, -'.asl.json'.length);
      const m = /^([a-z0-9-]+)-(apply|delete)$/.exec(base);
      if (!m) throw new Error(`statemachines/${file}: expected <provisioner>-<apply|delete>.asl.json`);
      return { file: path.join(root, file), base, provisioner: m[1]!, operation: m[2] as Operation };
    });
}

/** Every Task state (nested Map/Parallel states included) with the function folder its Resource names. */
export function taskBindings(asl: AslDefinition): TaskBinding[] {
  const out: TaskBinding[] = [];
  const visit = (states: AslDefinition['States']) => {
    for (const [state, def] of Object.entries(states)) {
      if (def.Type === 'Task') {
        const resource = String(def.Resource ?? '');
        // A callback Task names its function in Parameters.FunctionName; the same convention applies there.
        const named = resource === WAIT_FOR_TASK_TOKEN ? String((def.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName ?? '') : resource;
        const m = PLACEHOLDER.exec(named);
        if (!m) throw new Error(`Task state "${state}" has Resource "${resource}"; expected "\${<Name>FunctionArn}" (or ${WAIT_FOR_TASK_TOKEN} with that FunctionName)`);
        const folder = folderFor(m[1]!);
        out.push({ state, placeholder: `${m[1]}FunctionArn`, folder, handlerPath: path.join(FUNCTIONS_DIR, folder, 'handler.ts') });
      }
      for (const nested of [def.Iterator, def.ItemProcessor, ...((def.Branches as unknown[]) ?? [])]) {
        const n = nested as AslDefinition | undefined;
        if (n?.States) visit(n.States);
      }
    }
  };
  visit(asl.States);
  return out;
}

/** The placeholder substitutions a deployment needs: {EksCfApplyStackFunctionArn: 'eks-cf-apply-stack', ...}. */
export function functionPlaceholders(asl: AslDefinition): Record<string, string> {
  return Object.fromEntries(taskBindings(asl).map((b) => [b.placeholder, b.folder]));
}
