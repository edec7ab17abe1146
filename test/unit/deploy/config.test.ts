// The deploy configuration's building blocks, without packaging: names, the tree-derived lists, the zip writer,
// and the SDK-command reader the least-privilege test relies on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { folderFor } from '../../../local/workflows/bind.js';
import {
  buildResources,
  functionFolders,
  iamName,
  pascal,
  stateMachineFiles,
  type GeneratorInput,
} from '../../../scripts/package-aws.config.js';
import { zip } from '../../../scripts/package-aws.js';
import { actionMatches, loadTemplate } from './iam.js';
import { sdkImports } from './sdk-actions.js';

const ROOT = path.resolve(new URL('../../..', import.meta.url).pathname);

const input = (over: Partial<GeneratorInput> = {}): GeneratorInput => ({
  service: 'instance-manager',
  stage: 'prod',
  region: 'us-west-2',
  defaults: { memorySize: 256, timeout: 60 },
  functions: {},
  clusterNames: [],
  logRetentionInDays: 30,
  ...over,
});

describe('names', () => {
  it('maps every function folder to the ASL placeholder base and back', () => {
    const folders = functionFolders();
    expect(folders.length).toBeGreaterThan(0);
    for (const f of folders) expect(folderFor(pascal(f))).toBe(f);
  });

  it('keeps IAM role names within 64 characters, deterministic and distinct', () => {
    const names = functionFolders().map((f) => iamName('instance-manager', 'a-rather-long-stage-name', 'ap-southeast-2', f));
    for (const n of names) expect(n.length).toBeLessThanOrEqual(64);
    expect(new Set(names).size).toBe(names.length);
    expect(iamName('x', 'y'.repeat(80))).toBe(iamName('x', 'y'.repeat(80)));
    expect(iamName('short', 'name')).toBe('short-name');
  });

  it('reads provisioner and operation from every state machine file name', () => {
    const machines = stateMachineFiles();
    expect(machines.length).toBeGreaterThan(0);
    for (const m of machines) expect(`${m.provisioner}-${m.operation}.asl.json`).toBe(path.basename(m.file));
  });
});

describe('the tree-derived resources', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'im-deploy-'));
    mkdirSync(path.join(dir, 'functions', 'start-workflow'), { recursive: true });
    mkdirSync(path.join(dir, 'statemachines'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const asl = (resource: string) =>
    JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: resource, End: true } } });

  it('refuses a state machine whose Task names a function that does not exist', () => {
    writeFileSync(path.join(dir, 'statemachines', 'eks-x-apply.asl.json'), asl('${EksXMissingStepFunctionArn}'));
    expect(() => buildResources(input(), ['start-workflow'], stateMachineFiles(path.join(dir, 'statemachines')))).toThrow(
      /functions\/eks-x-missing-step\/handler\.ts/,
    );
  });

  it('refuses a state machine file not named <provisioner>-<apply|delete>.asl.json', () => {
    writeFileSync(path.join(dir, 'statemachines', 'eks-x-resize.asl.json'), asl('${StartWorkflowFunctionArn}'));
    expect(() => stateMachineFiles(path.join(dir, 'statemachines'))).toThrow(/expected <provisioner>-<apply\|delete>/);
  });

  it('creates one access entry per cluster and Kubernetes-facing function, none without clusters', () => {
    writeFileSync(path.join(dir, 'statemachines', 'eks-x-apply.asl.json'), asl('${StartWorkflowFunctionArn}'));
    const machines = stateMachineFiles(path.join(dir, 'statemachines'));
    const functions = { a: { kubernetes: true }, b: {}, 'start-workflow': {} };
    const entries = (clusterNames: string[]) =>
      Object.values(buildResources(input({ functions, clusterNames }), ['a', 'b', 'start-workflow'], machines).Resources).filter(
        (r) => (r as { Type: string }).Type === 'AWS::EKS::AccessEntry',
      ) as { Properties: { ClusterName: string; PrincipalArn: unknown; KubernetesGroups: string[] } }[];
    expect(entries([])).toEqual([]);
    const two = entries(['blue', 'green']);
    expect(two.map((e) => e.Properties.ClusterName).sort()).toEqual(['blue', 'green']);
    for (const e of two) {
      expect(e.Properties.PrincipalArn).toEqual({ 'Fn::GetAtt': ['ARole', 'Arn'] });
      expect(e.Properties.KubernetesGroups).toEqual(['instance-manager-workflows']);
    }
  });
});

describe('serverless.yml', () => {
  it('configures only functions that exist in the tree', () => {
    const config = loadTemplate(path.join(ROOT, 'serverless.yml')) as unknown as { custom: { im: { functions: Record<string, unknown> } } };
    const folders = new Set(functionFolders());
    const stale = Object.keys(config.custom.im.functions).filter((f) => !folders.has(f));
    expect(stale).toEqual([]);
  });
});

describe('zip', () => {
  it('writes an archive unzip reads back byte for byte, the same bytes every time, world-readable with a fixed time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'im-zip-'));
    try {
      const data = Buffer.from(`export const handler = async () => 42;\n${'x'.repeat(5000)}`);
      const a = await zip([{ name: 'index.mjs', data }]);
      expect((await zip([{ name: 'index.mjs', data }])).equals(a)).toBe(true);
      const file = path.join(dir, 'f.zip');
      writeFileSync(file, a);
      const out = spawnSync('unzip', ['-p', file, 'index.mjs']);
      expect(out.status).toBe(0);
      expect(Buffer.compare(out.stdout, data)).toBe(0);
      const test = spawnSync('unzip', ['-tq', file], { encoding: 'utf8' });
      expect(test.stdout).toMatch(/No errors detected/);
      expect(a.length).toBeLessThan(data.length);
      expect(readFileSync(file).subarray(0, 4).toString('hex')).toBe('504b0304');
      const info = spawnSync('zipinfo', [file, 'index.mjs'], { encoding: 'utf8' });
      expect(info.stdout).toMatch(/^-rw-r--r-- .* defN 80-Jan-01 00:00 index\.mjs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading SDK commands and IAM actions', () => {
  it('resolves aliased imports of AWS SDK clients', () => {
    const code = `import { CreateStackCommand as CreateStackCommand2, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";\nimport { x } from "./y.js";`;
    const imports = sdkImports(code);
    expect(imports.get('CreateStackCommand2')).toEqual({ pkg: '@aws-sdk/client-cloudformation', name: 'CreateStackCommand' });
    expect(imports.get('DescribeStacksCommand')?.name).toBe('DescribeStacksCommand');
    expect(imports.has('x')).toBe(false);
  });

  it('matches IAM actions as IAM does (wildcards, case)', () => {
    expect(actionMatches('iam:Get*', 'iam:GetRole')).toBe(true);
    expect(actionMatches('eks:describecluster', 'eks:DescribeCluster')).toBe(true);
    expect(actionMatches('eks:DescribeCluster', 'eks:DescribeClusters')).toBe(false);
    expect(actionMatches('cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents')).toBe(false);
  });
});
