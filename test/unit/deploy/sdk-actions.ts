// Which AWS actions a function's code can call, read from its own bundle: esbuild bundles functions/<f>/handler.ts
// with tree shaking and the AWS SDK left external, so the output holds exactly the project code reachable from the
// handler, and every SDK command it sends appears as `new XxxCommand(` next to an `import {...} from
// "@aws-sdk/client-yyy"`. Commands in code the handler cannot reach (another step's helpers in a shared module)
// are dropped by tree shaking, so a role is not asked for more than its function can do.
import path from 'node:path';
import { build } from 'esbuild';
import { functionFoldersById } from '../../../core/names/functions.js';

/** SDK client package → IAM service prefix. */
export const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-cloudformation': 'cloudformation',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-eks': 'eks',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-ssm': 'ssm',
};

export interface FunctionCalls {
  /** e.g. ["cloudformation:CreateStack", "eks:DescribeCluster"] */
  actions: string[];
  /** Project source files in the bundle (repository-relative). */
  sources: string[];
}

/** Reads `import { A, B as C } from "@aws-sdk/client-x"` blocks: local name → [package, exported name]. */
export function sdkImports(code: string): Map<string, { pkg: string; name: string }> {
  const out = new Map<string, { pkg: string; name: string }>();
  for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'](@aws-sdk\/client-[a-z0-9-]+)["']/g)) {
    for (const part of m[1]!.split(',')) {
      const [name, local] = part.trim().split(/\s+as\s+/).map((s) => s.trim());
      if (name) out.set(local ?? name, { pkg: m[2]!, name });
    }
  }
  return out;
}

export async function functionCalls(root: string, folder: string): Promise<FunctionCalls> {
  const result = await build({
    entryPoints: [path.join(root, 'functions', functionFoldersById(path.join(root, 'functions')).get(folder) ?? folder, 'handler.ts')],
    absWorkingDir: root,
    bundle: true,
    write: false,
    outfile: path.join(root, 'dist', 'scan', folder, 'index.mjs'),
    platform: 'node',
    target: 'node22',
    format: 'esm',
    treeShaking: true,
    minify: false,
    metafile: true,
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.text;
  const imports = sdkImports(code);
  const actions = new Set<string>();
  for (const m of code.matchAll(/new\s+([A-Za-z0-9_$]+)\s*\(/g)) {
    const imported = imports.get(m[1]!);
    if (!imported || !imported.name.endsWith('Command')) continue;
    const prefix = SERVICE_PREFIX[imported.pkg];
    if (!prefix) throw new Error(`functions/${folder}: ${imported.pkg} has no IAM prefix in SERVICE_PREFIX; add it`);
    actions.add(`${prefix}:${imported.name.slice(0, -'Command'.length)}`);
  }
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules'));
  return { actions: [...actions].sort(), sources };
}
