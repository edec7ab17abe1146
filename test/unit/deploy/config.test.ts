// The deploy configuration's building blocks, without packaging: names, the tree-derived lists, the zip writer,
// and the SDK-command reader the least-privilege test relies on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { folderFor } from '../../../core/workflows/bindings.js';
import { functionId } from '../../../core/names/functions.js';
import {
  buildFunctions,
  buildResources,
  functionFolders,
  iamName,
  pascal,
  stateMachineFiles,
  type GeneratorInput,
} from '../../../scripts/package-aws.config.js';
import { VPC_ACCESS_STATEMENT, vpcSettings } from '../../../scripts/package-aws.operations.js';
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
    for (const f of folders) expect(functionId(folderFor(pascal(f)))).toBe(f);
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
      /functions\/common\/eks-x-missing-step\/handler\.ts/,
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

describe('private clusters: VPC settings for the Kubernetes-facing functions', () => {
  const folders = ['a', 'b', 'start-workflow'];
  const functions = { a: { kubernetes: true }, b: {}, 'start-workflow': {} };

  it('puts only the Kubernetes-facing functions in the VPC, and lets their roles manage the network interfaces', () => {
    const vpc = vpcSettings('subnet-0a1b2c3d, subnet-0e0f', 'sg-0123abcd');
    expect(vpc).toEqual({ subnetIds: ['subnet-0a1b2c3d', 'subnet-0e0f'], securityGroupIds: ['sg-0123abcd'] });
    const built = buildFunctions(input({ functions, vpc }), folders, []);
    expect((built.A as Record<string, unknown>).vpc).toEqual({ subnetIds: ['subnet-0a1b2c3d', 'subnet-0e0f'], securityGroupIds: ['sg-0123abcd'] });
    expect((built.B as Record<string, unknown>).vpc).toBeUndefined();
    const roles = buildResources(input({ functions, vpc }), folders, []).Resources as Record<string, any>;
    const sids = (role: string) => roles[role].Properties.Policies[0].PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids('ARole')).toContain(VPC_ACCESS_STATEMENT.Sid);
    expect(sids('BRole')).not.toContain(VPC_ACCESS_STATEMENT.Sid);
  });

  it('adds nothing without VPC settings', () => {
    expect(vpcSettings('', ' ')).toBeUndefined();
    const built = buildFunctions(input({ functions }), folders, []);
    for (const fn of Object.values(built)) expect((fn as Record<string, unknown>).vpc).toBeUndefined();
  });

  it('refuses half or malformed settings, naming the param', () => {
    expect(() => vpcSettings('subnet-0a1b', '')).toThrow(/vpcSecurityGroupIds is empty/);
    expect(() => vpcSettings('', 'sg-0a1b')).toThrow(/vpcSubnetIds is empty/);
    expect(() => vpcSettings('vpc-123', 'sg-0a1b')).toThrow(/vpcSubnetIds: "vpc-123" is not a subnet id/);
    expect(() => vpcSettings('subnet-0a1b', 'default')).toThrow(/vpcSecurityGroupIds: "default" is not a security group id/);
  });
});

describe('observability settings', () => {
  it('gives every function the Powertools service name of its stage, the metrics namespace and source maps', () => {
    const built = buildFunctions(input({ stage: 'blue' }), ['b', 'start-workflow'], []);
    for (const fn of Object.values(built)) {
      expect((fn as { environment: unknown }).environment).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'instance-manager-blue',
        POWERTOOLS_METRICS_NAMESPACE: 'InstanceManager',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('alarms on missing relay heartbeats per stage and per named cluster', () => {
    const resources = buildResources(input({ clusterNames: ['blue-1'] }), ['start-workflow'], []).Resources as Record<string, any>;
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'RelayHeartbeats');
    expect(alarms.map((a) => a.Properties.Dimensions)).toEqual([
      [{ Name: 'service', Value: 'instance-manager-prod' }],
      [{ Name: 'service', Value: 'instance-manager-prod' }, { Name: 'cluster', Value: 'blue-1' }],
    ]);
    for (const a of alarms) expect(a.Properties).toMatchObject({ TreatMissingData: 'breaching', ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
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
