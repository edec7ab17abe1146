// The relay image as far as a machine without a container engine can check it: the Dockerfile pins every base by
// digest, ships no package manager, runs as a numeric non-root user, and the bundle its build stage makes is
// self-contained (it runs from a folder with no node_modules, as it does in the image).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildRelay } from '../../../in-cluster-relay/build.js';

const ROOT = path.resolve(new URL('../../..', import.meta.url).pathname);
const dockerfile = readFileSync(path.join(ROOT, 'in-cluster-relay', 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(ROOT, 'in-cluster-relay', 'Dockerfile.dockerignore'), 'utf8');

/** ARG defaults, so that `FROM ${RUNTIME_IMAGE}` resolves to the image it names. */
const args = Object.fromEntries([...dockerfile.matchAll(/^ARG\s+(\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
const stages = [...dockerfile.matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\w+))?/gim)].map((m) => ({
  image: m[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? `\${${name}}`),
  name: m[2],
}));
const finalStage = stages.at(-1)!;
const finalText = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

describe('relay Dockerfile', () => {
  it('pins every base image by the sha256 digest of its index', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect({ image: s.image, pinned: /@sha256:[0-9a-f]{64}$/.test(s.image) }).toEqual({ image: s.image, pinned: true });
  });

  it('runs on a distroless Node.js 22 base: no shell, no npm, no package installs in the final stage', () => {
    expect(finalStage.image).toMatch(/^gcr\.io\/distroless\/nodejs22-debian12(:[\w.-]+)?@sha256:/);
    expect(finalText).not.toMatch(/^\s*RUN\b/m);
    expect(finalText).toMatch(/COPY --from=build \/out\/ \/app\//);
  });

  it('runs as a numeric non-root user, so runAsNonRoot can verify it', () => {
    const user = /^USER\s+(\d+)(?::(\d+))?\s*$/m.exec(finalText);
    expect(user).not.toBeNull();
    expect(Number(user![1])).toBeGreaterThan(0);
  });

  it("starts node with the memory flags the relay bench measured (no TurboFan, the collector exposed)", () => {
    expect(finalText).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "--no-opt", "--expose-gc", "\/app\/relay\.mjs"\]$/m);
  });

  it('bundles on the build platform, so a multi-arch build compiles once', () => {
    expect(dockerfile).toMatch(/^FROM --platform=\$BUILDPLATFORM .* AS build$/m);
  });

  it('sends the build stage what it reads, and nothing else', () => {
    const rules = dockerignore.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(rules[0]).toBe('**');
    for (const kept of ['!package.json', '!package-lock.json', '!tsconfig.json', '!core/**', '!in-cluster-relay/**']) {
      expect(rules).toContain(kept);
    }
  });
});

describe('relay bundle (the build stage)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'relay-image-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds one ESM file with its source map that runs without node_modules', async () => {
    const built = await buildRelay(path.join(dir, 'build', 'relay.mjs'));
    expect(existsSync(built)).toBe(true);
    expect(existsSync(`${built}.map`)).toBe(true);
    // As in the image: the file alone in /app. Without configuration it must stop on the configuration check,
    // which proves every module it needs loaded from the bundle itself.
    const app = path.join(dir, 'app');
    spawnSync('mkdir', ['-p', app]);
    copyFileSync(built, path.join(app, 'relay.mjs'));
    // With the ENTRYPOINT's node flags, so a flag node refuses fails here rather than in a pod.
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)![1]!) as string[];
    const run = spawnSync(process.execPath, [...entrypoint.slice(1, -1), path.join(app, 'relay.mjs')], {
      cwd: app,
      env: { PATH: '/usr/bin:/bin' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(run.status).toBe(2);
    const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { message: string; problems: string[] };
    expect(line.message).toBe('invalid configuration');
    expect(line.problems.join('\n')).toMatch(/EVENT_BUS_NAME is required/);
  }, 120_000);
});
