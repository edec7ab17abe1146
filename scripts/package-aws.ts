// npm run package:aws [-- --stage prod --region us-west-2 --param clusterNames=a,b ...]
//
// 1. bundles every functions/<f>/handler.ts (scripts/bundle.ts),
// 2. zips each bundle to dist/aws/<f>.zip (index.mjs at the root; fixed timestamps, so an unchanged function keeps
//    its code hash and is not redeployed),
// 3. runs `serverless package` (osls) offline: dummy credentials, no AWS call. The CloudFormation template lands in
//    .serverless/cloudformation-template-update-stack.json; `serverless deploy --package .serverless` deploys it.
//
// Arguments after `--` go to `serverless package` unchanged.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buffer } from 'node:stream/consumers';
import { ZipFile } from 'yazl';
import { bundleAll, ROOT, type BundleResult } from './bundle.js';

export const ARTIFACTS_DIR = path.join(ROOT, 'dist', 'aws');
export const PACKAGE_DIR = path.join(ROOT, '.serverless');
export const TEMPLATE_FILE = path.join(PACKAGE_DIR, 'cloudformation-template-update-stack.json');

/**
 * Every entry gets the same time, 1980-01-01 00:00 (the earliest a zip can hold; local time, because DOS times
 * have no zone) and no extended timestamp, so the same bundle always zips to the same bytes.
 */
const FIXED_MTIME = new Date(1980, 0, 1);
/** -rw-r--r--: Lambda needs the code readable by its sandbox user. */
const WORLD_READABLE = 0o100644;

/** A deterministic zip of the given files (yazl, deflated by node's zlib at level 9), world-readable. */
export function zip(files: { name: string; data: Buffer }[]): Promise<Buffer> {
  const archive = new ZipFile();
  for (const f of files) archive.addBuffer(f.data, f.name, { mtime: FIXED_MTIME, mode: WORLD_READABLE, forceDosTimestamp: true, compressionLevel: 9 });
  archive.end();
  return buffer(archive.outputStream);
}

export interface Artifact {
  name: string;
  zipFile: string;
  bundleBytes: number;
  zipBytes: number;
}

export async function buildArtifacts(): Promise<{ bundles: BundleResult[]; artifacts: Artifact[] }> {
  const bundles = await bundleAll();
  rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const artifacts = await Promise.all(
    bundles.map(async (b) => {
      const data = await zip([{ name: 'index.mjs', data: readFileSync(b.outfile) }]);
      const zipFile = path.join(ARTIFACTS_DIR, `${b.name}.zip`);
      writeFileSync(zipFile, data);
      return { name: b.name, zipFile, bundleBytes: b.bytes, zipBytes: data.length };
    }),
  );
  return { bundles, artifacts };
}

/** Credentials and settings that keep `serverless package` away from AWS and from any telemetry. */
export function offlineEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) delete env[k];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
    AWS_SECRET_ACCESS_KEY: 'offline-packaging-needs-no-account',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
  };
}

/** Runs `serverless package` (osls from node_modules) and returns the packaged CloudFormation template. */
export function serverlessPackage(args: string[] = []): Record<string, unknown> {
  rmSync(PACKAGE_DIR, { recursive: true, force: true });
  const bin = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
  const run = spawnSync(process.execPath, [bin, 'package', ...args], { cwd: ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) {
    throw new Error(`serverless package failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Record<string, unknown>;
}

export async function packageAws(args: string[] = []): Promise<{ artifacts: Artifact[]; template: Record<string, unknown> }> {
  const { artifacts } = await buildArtifacts();
  const template = serverlessPackage(args);
  return { artifacts, template };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { artifacts, template } = await packageAws(process.argv.slice(2));
  for (const a of artifacts) {
    console.log(`${a.name.padEnd(40)} ${(a.bundleBytes / 1024).toFixed(0).padStart(6)} KB  zip ${(a.zipBytes / 1024).toFixed(0).padStart(5)} KB`);
  }
  const resources = Object.keys((template.Resources ?? {}) as object).length;
  console.log(`\n${path.relative(ROOT, TEMPLATE_FILE)}: ${resources} resources`);
}
