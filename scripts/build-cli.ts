// Builds imctl into an installable package: dist/imctl/ holds one self-contained ESM bundle (every dependency
// inlined, so installing it fetches nothing), its package.json, README and LICENSE. `npm pack dist/imctl` makes the
// tarball; `npx --package ./imctl-<version>.tgz imctl` runs it. Usage: tsx scripts/build-cli.ts [--pack <dir>]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { builtinsByRequire } from '../in-cluster-relay/build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_DIST = path.join(ROOT, 'dist', 'imctl');

export async function buildCli(outDir = CLI_DIST): Promise<{ dir: string; version: string; bytes: number }> {
  const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string; engines: { node: string } };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'imctl.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'cli', 'main.ts')],
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'error',
    define: { IMCTL_VERSION: JSON.stringify(root.version) },
    plugins: [builtinsByRequire],
    // ESM bundles need a require() for the CommonJS dependencies they inline and node's built-ins.
    banner: { js: "#!/usr/bin/env node\nimport{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const pkg = {
    name: 'imctl',
    version: root.version,
    description: "instance-manager's operator CLI: InstanceGroup status, workflow executions, replay",
    type: 'module',
    bin: { imctl: 'imctl.mjs' },
    files: ['imctl.mjs', 'README.md', 'LICENSE'],
    engines: root.engines,
    license: root.license,
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  copyFileSync(path.join(ROOT, 'LICENSE'), path.join(outDir, 'LICENSE'));
  writeFileSync(
    path.join(outDir, 'README.md'),
    '# imctl\n\nThe operator CLI of instance-manager: `imctl status -A`, `imctl executions <ns>/<name>`, ' +
      '`imctl replay <ns>/<name> --wait`, `imctl replay --since 2h --stage prod`, and `kubectl get ' +
      'instancemanagerpolicy default -o yaml | imctl policy render | kubectl apply -f -` to render the admission ' +
      'policy. Run `imctl --help` for the rest.\n\n' +
      'It reads kubeconfigs as kubectl does (exec plugins such as `aws eks get-token` included) and AWS credentials ' +
      'as the AWS CLI does. Self-contained: no dependencies are installed with it.\n',
  );
  return { dir: outDir, version: root.version, bytes: readFileSync(outfile).length };
}

/** npm pack of the built package into `destination`; returns the tarball's path. */
export function packCli(destination: string, dir = CLI_DIST): string {
  mkdirSync(destination, { recursive: true });
  const out = execFileSync('npm', ['pack', dir, '--pack-destination', destination, '--json'], { encoding: 'utf8' });
  const [packed] = JSON.parse(out) as { filename: string }[];
  return path.join(destination, packed!.filename);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { dir, version, bytes } = await buildCli();
  console.log(`built imctl ${version} into ${dir} (${Math.round(bytes / 1024)} KB)`);
  const at = process.argv.indexOf('--pack');
  if (at !== -1) console.log(`packed ${packCli(path.resolve(process.argv[at + 1] ?? '.'))}`);
}
