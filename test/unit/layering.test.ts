// The layers of the tree, enforced: core/ is the shared domain and depends on none of its users; functions/ (the
// Lambda steps) depend on core/ only; the packaging (scripts/) and the CLI do not reach into the local runtime,
// the CLI not into the packaging or the functions. What more than one side needs lives in core/. Within functions/,
// no step reaches into another step's folder.
// Import specifiers (static, type-only, re-exports, dynamic import(), require()) are read with the TypeScript
// compiler's pre-processor, so comments and strings that merely mention a path are not edges.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.serverless', '.testbed-logs']);

interface Rule {
  /** Top-level folder the rule is about. */
  from: string;
  /** Top-level folders it must not import. */
  forbidden: string[];
  /** Repository-relative files allowed to break the rule, each with the reason. */
  exceptions?: Record<string, string>;
}

const RULES: Rule[] = [
  { from: 'core', forbidden: ['functions', 'local', 'scripts', 'cli', 'in-cluster-relay', 'bench', 'test'] },
  { from: 'functions', forbidden: ['local', 'scripts', 'cli', 'in-cluster-relay', 'bench', 'test'] },
  // No script runs the local control plane today; one that does (a local runner) would be listed here with its reason.
  { from: 'scripts', forbidden: ['local'], exceptions: {} },
  { from: 'cli', forbidden: ['local', 'scripts', 'functions'] },
];

interface Edge {
  file: string;
  specifier: string;
  target: string;
}

/** Relative import specifiers of one source text, resolved to repository-relative paths. */
function importEdges(file: string, text: string): Edge[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({
      file,
      specifier,
      target: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)),
    }));
}

/** Edges that break a rule, as "file → specifier (forbidden: layer)" lines. */
function violations(files: Record<string, string>, rules: Rule[] = RULES): string[] {
  const out: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const rule = rules.find((r) => file.startsWith(`${r.from}/`));
    if (!rule || rule.exceptions?.[file]) continue;
    for (const edge of importEdges(file, text)) {
      const layer = edge.target.split('/')[0]!;
      if (rule.forbidden.includes(layer)) out.push(`${edge.file} → ${edge.specifier} (${rule.from}/ must not import ${layer}/)`);
    }
  }
  return out.sort();
}

/** Edges from one Lambda step's code into another step's folder (a folder with a handler.ts), as "file → specifier". */
function sidewaysStepImports(files: Record<string, string>): string[] {
  const stepFolders = new Set(Object.keys(files).filter((f) => /^functions\/.+\/handler\.ts$/.test(f)).map((f) => path.posix.dirname(f)));
  return Object.entries(files)
    .filter(([file]) => file.startsWith('functions/'))
    .flatMap(([file, text]) => importEdges(file, text))
    .filter((e) => {
      const folder = path.posix.dirname(e.target);
      return stepFolders.has(folder) && !e.file.startsWith(`${folder}/`);
    })
    .map((e) => `${e.file} → ${e.specifier}`)
    .sort();
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...sourceFiles(rel));
    } else if (SOURCE.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

function repositorySources(): Record<string, string> {
  const files = RULES.flatMap((r) => sourceFiles(r.from));
  return Object.fromEntries(files.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
}

describe('layering', () => {
  const sources = repositorySources();

  it('no file imports across a forbidden layer boundary', () => {
    const found = violations(sources);
    expect(found).toEqual([]);
  });

  it('reads every kind of import the tree uses', () => {
    // Guards against a parser that silently finds nothing: the Lambda steps do import core/.
    const edges = Object.entries(sources).flatMap(([file, text]) => importEdges(file, text));
    expect(edges.some((e) => e.file.startsWith('functions/') && e.target.startsWith('core/'))).toBe(true);
    expect(edges.some((e) => e.file.startsWith('scripts/package-aws') && e.target === 'core/workflows/bindings.js')).toBe(true);
  });

  it('names each offending edge, for static, type-only, re-export, dynamic and require imports', () => {
    const found = violations({
      'core/a.ts': "import { x } from '../local/x.js';\nimport type { Y } from '../functions/y/handler.js';",
      'core/b.ts': "export { z } from './../scripts/z.js';\nconst later = () => import('../cli/main.js');",
      'functions/f/handler.ts': "const r = require('../../in-cluster-relay/relay.js');\nimport { ok } from '../../core/ok.js';",
      'scripts/s.ts': "// mentions '../local/x.js' in a comment only\nimport { bindHandlers } from '../local/workflows/bind.js';",
      'cli/c.ts': "import { startWorkflow } from '../functions/start-workflow/start.js';",
    });
    expect(found).toEqual([
      "cli/c.ts → ../functions/start-workflow/start.js (cli/ must not import functions/)",
      'core/a.ts → ../functions/y/handler.js (core/ must not import functions/)',
      'core/a.ts → ../local/x.js (core/ must not import local/)',
      'core/b.ts → ../cli/main.js (core/ must not import cli/)',
      'core/b.ts → ./../scripts/z.js (core/ must not import scripts/)',
      'functions/f/handler.ts → ../../in-cluster-relay/relay.js (functions/ must not import in-cluster-relay/)',
      'scripts/s.ts → ../local/workflows/bind.js (scripts/ must not import local/)',
    ]);
  });

  it("no Lambda step imports another step's folder: what several steps need lives in functions/shared or its provisioner's modules", () => {
    expect(sidewaysStepImports(sources)).toEqual([]);
    const found = sidewaysStepImports({
      'functions/common/report-status/handler.ts': "import { reportStatusStep } from './logic.js';",
      'functions/common/report-status/logic.ts': "import { reportStatus } from '../../shared/report-status.js';",
      'functions/eks-cf/rotation/progress.ts': "import { reportStatus } from '../../common/report-status/logic.js';",
    });
    expect(found).toEqual(['functions/eks-cf/rotation/progress.ts → ../../common/report-status/logic.js']);
  });

  it('lets a listed exception through and nothing else', () => {
    const rules: Rule[] = [{ from: 'scripts', forbidden: ['local'], exceptions: { 'scripts/run-local.ts': 'runs the local control plane' } }];
    const found = violations(
      {
        'scripts/run-local.ts': "import { startControlPlane } from '../local/control-plane.js';",
        'scripts/other.ts': "import { startControlPlane } from '../local/control-plane.js';",
      },
      rules,
    );
    expect(found).toEqual(['scripts/other.ts → ../local/control-plane.js (scripts/ must not import local/)']);
  });
});
