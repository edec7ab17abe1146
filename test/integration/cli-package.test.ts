// imctl as a user installs it: scripts/build-cli.ts bundles it, `npm pack` makes the tarball, and `npx` runs the
// packed package from a fresh npm cache with the registry out of reach (--offline): the package needs nothing
// installed beside it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildCli, packCli } from '../../scripts/build-cli.js';

const exec = promisify(execFile);
let work: string;
let tarball: string;
let version: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'imctl-package-'));
  ({ version } = await buildCli(path.join(work, 'package')));
  tarball = packCli(path.join(work, 'packed'), path.join(work, 'package'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const npx = (...args: string[]) =>
  exec('npx', ['--yes', '--offline', '--package', tarball, 'imctl', ...args], {
    cwd: work,
    env: { ...process.env, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false' },
    timeout: 120_000,
  });

describe('the packed imctl', () => {
  test('npm pack makes imctl-<version>.tgz with the bundle, README and LICENSE, and no dependencies', async () => {
    expect(path.basename(tarball)).toBe(`imctl-${version}.tgz`);
    const { stdout } = await exec('tar', ['-tzf', tarball]);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['package/LICENSE', 'package/README.md', 'package/imctl.mjs', 'package/package.json']);
    const { stdout: pkg } = await exec('tar', ['-xzOf', tarball, 'package/package.json']);
    expect(JSON.parse(pkg)).toMatchObject({ name: 'imctl', version, bin: { imctl: 'imctl.mjs' }, license: 'Apache-2.0' });
    expect(JSON.parse(pkg).dependencies).toBeUndefined();
  });

  test('npx imctl --version runs it from the tarball', async () => {
    const { stdout } = await npx('--version');
    expect(stdout).toBe(`imctl ${version}\n`);
  });

  test('its errors name the fix, as from a checkout', async () => {
    const failed = await npx('status', '--kubeconfig', path.join(work, 'missing')).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(`imctl: kubeconfig ${path.join(work, 'missing')} does not exist\n  fix: pass an existing file to --kubeconfig\n`);
  });
});
