// npm run package:aws [-- --stage prod --region us-west-2 --param clusterNames=a,b ...]
//
// 1. bundles every functions/<f>/handler.ts (scripts/bundle.ts),
// 2. zips each bundle to dist/aws/<f>.zip (index.mjs and its source map at the root; fixed timestamps, so an unchanged function keeps
//    its code hash and is not redeployed),
// 3. runs `serverless package` (osls) offline: dummy credentials, no AWS call. The CloudFormation template lands in
//    .serverless/cloudformation-template-update-stack.json; `serverless deploy --package .serverless` deploys it.
//
// Arguments after `--` go to `serverless package` unchanged.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { bundleAll, ROOT, type BundleResult } from './bundle.js';

export const ARTIFACTS_DIR = path.join(ROOT, 'dist', 'aws');
export const PACKAGE_DIR = path.join(ROOT, '.serverless');
export const TEMPLATE_FILE = path.join(PACKAGE_DIR, 'cloudformation-template-update-stack.json');

/** 1980-01-01 00:00 in DOS time/date: every entry gets it, so the same bundle always zips to the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** A zip with the given files, deflated, world-readable (Lambda needs the code readable by its sandbox user). */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const compressed = deflateRawSync(file.data, { level: 9 });
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
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
  const artifacts = bundles.map((b) => {
    const data = zip([
      { name: 'index.mjs', data: readFileSync(b.outfile) },
      { name: 'index.mjs.map', data: readFileSync(`${b.outfile}.map`) },
    ]);
    const zipFile = path.join(ARTIFACTS_DIR, `${b.name}.zip`);
    writeFileSync(zipFile, data);
    return { name: b.name, zipFile, bundleBytes: b.bytes, zipBytes: data.length };
  });
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
