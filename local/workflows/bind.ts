// The local runtime's side of the step bindings: imports the handler each Task state is bound to. The binding itself
// (placeholder ↔ function folder) is core/workflows/bindings.ts, shared with the packaging.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAsl, REPO_ROOT, taskBindings, type AslDefinition } from '../../core/workflows/bindings.js';

export type Handler = (input: unknown, context?: unknown) => Promise<unknown>;

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
