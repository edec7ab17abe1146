// Binds the Task states of an ASL file to Lambda handlers by the repository's naming rule (core/names/functions.ts):
// "Resource": "${EksCfCreateOrUpdateStackFunctionArn}"  ↔  functions/eks-cf/create-or-update-stack/handler.ts,
// "${ReportStatusFunctionArn}"  ↔  functions/common/report-status/handler.ts (export `handler`).
// The local Step Functions runtime, the tests and the deploy configuration all use this one mapping.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { folderForPlaceholder, functionId } from '../../core/names/functions.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FUNCTIONS_DIR = path.join(REPO_ROOT, 'functions');
export const STATE_MACHINES_DIR = path.join(REPO_ROOT, 'statemachines');

const PLACEHOLDER = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/;
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

export type Handler = (input: unknown, context?: unknown) => Promise<unknown>;

export interface TaskBinding {
  state: string;
  placeholder: string;
  /** Function folder under functions/, e.g. eks-cf/create-or-update-stack. */
  folder: string;
  handlerPath: string;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** "EksCfCreateOrUpdateStack" → "eks-cf/create-or-update-stack"; "ReportStatus" → "common/report-status". */
export const folderFor = folderForPlaceholder;

export function loadAsl(file: string): AslDefinition {
  const resolved = path.isAbsolute(file) ? file : path.join(STATE_MACHINES_DIR, file);
  return JSON.parse(readFileSync(resolved, 'utf8')) as AslDefinition;
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

/** The placeholder substitutions a deployment needs: {EksCfCreateOrUpdateStackFunctionArn: 'eks-cf/create-or-update-stack', ...}. */
export function functionPlaceholders(asl: AslDefinition): Record<string, string> {
  return Object.fromEntries(taskBindings(asl).map((b) => [b.placeholder, b.folder]));
}

/** {Task state name → handler}, importing each function once. Fails listing every missing folder or export. */
export async function bindHandlers(aslOrFile: AslDefinition | string): Promise<Record<string, Handler>> {
  const asl = typeof aslOrFile === 'string' ? loadAsl(aslOrFile) : aslOrFile;
  const bindings = taskBindings(asl);
  const missing = bindings.filter((b) => !existsSync(b.handlerPath));
  if (missing.length) {
    const list = missing.map((b) => `  state "${b.state}": \${${b.placeholder}} → ${path.relative(REPO_ROOT, b.handlerPath)} does not exist`);
    throw new Error(`Cannot bind the state machine's Task states to handlers:\n${[...new Set(list)].join('\n')}`);
  }
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const out: Record<string, Handler> = {};
  for (const b of bindings) {
    if (!modules.has(b.handlerPath)) modules.set(b.handlerPath, import(pathToFileURL(b.handlerPath).href) as Promise<Record<string, unknown>>);
    const mod = await modules.get(b.handlerPath)!;
    const handler = mod.handler;
    if (typeof handler !== 'function') {
      throw new Error(`functions/${b.folder}/handler.ts does not export a function named "handler" (needed by state "${b.state}")`);
    }
    out[b.state] = handler as Handler;
  }
  return out;
}

/**
 * The definition as deployed: every "${<Name>FunctionArn}" replaced by a function ARN (locally a made-up one in the
 * given account; the Task states are overridden by the bound handlers anyway).
 */
export function withFunctionArns(asl: AslDefinition, arnFor: (folder: string) => string): AslDefinition {
  const text = JSON.stringify(asl).replace(/\$\{([A-Za-z0-9]+)FunctionArn\}/g, (_m, base: string) => arnFor(folderFor(base)));
  return JSON.parse(text) as AslDefinition;
}

export const localFunctionArn = (region: string, account: string) => (folder: string) =>
  `arn:aws:lambda:${region}:${account}:function:instance-manager-${functionId(folder)}`;
