// Every IAM policy instance-manager ships (each function's and state machine's role as the generator renders them from
// serverless.yml, the roles in infra/aws, the bus and queue resource policies), linted by parliament
// (PyPI, installed by scripts/bootstrap.sh) with instance-manager's own auditors (iam-auditors/): no "*" actions,
// no PassRole on every role, no tag action that could claim a resource not already ours.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildResources, RESOURCE_MARKERS, type GeneratorInput, type FunctionSettings } from '../../../scripts/package-aws.config.js';
import { loadTemplate, type Template } from './iam.js';

const ROOT = path.resolve(new URL('../../..', import.meta.url).pathname);
const LINT = path.join(ROOT, 'test/unit/deploy/parliament-lint.py');
const ACCOUNT = '123456789012';
const REGION = 'us-west-2';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Document = { Version: string; Statement: Json[] };

/** Concrete values for CloudFormation intrinsics, so parliament sees policies as IAM would. */
function renderer(template: Template, params: Record<string, string>) {
  const arnOf = (id: string): string => {
    const type = template.Resources?.[id]?.Type ?? '';
    if (type === 'AWS::SQS::Queue') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
    if (type === 'AWS::Events::EventBus') return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}`;
    if (type === 'AWS::Events::Rule') return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${id}`;
    if (type === 'AWS::Logs::LogGroup') return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
    if (type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
    if (id.endsWith('LambdaFunction')) return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    return `arn:aws:iam::${ACCOUNT}:role/${id}`;
  };
  const sub = (text: string, vars: Record<string, Json>): string =>
    text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name === 'AWS::Partition') return 'aws';
      if (name === 'AWS::Region') return REGION;
      if (name === 'AWS::AccountId') return ACCOUNT;
      if (name in vars) return String(vars[name]);
      return params[name] ?? arnOf(name);
    });
  const render = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(render);
    if (!value || typeof value !== 'object') return value;
    const [key, arg] = Object.entries(value)[0] ?? [];
    if (Object.keys(value).length !== 1 || !key) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    const args = arg as Json[];
    switch (key) {
      case 'Fn::Sub':
        if (typeof arg === 'string') return sub(arg, {});
        return sub(String(args[0]), Object.fromEntries(Object.entries(args[1] as Record<string, Json>).map(([k, v]) => [k, render(v)])));
      case 'Ref':
        return params[String(arg)] ?? (template.Resources?.[String(arg)]?.Type === 'AWS::StepFunctions::StateMachine' ? arnOf(String(arg)) : String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        return attribute === 'Name' ? String(id) : arnOf(String(id));
      }
      case 'Fn::ImportValue':
        return `arn:aws:iam::${ACCOUNT}:role/instance-manager-eks-cf-service-role`;
      case 'Fn::Join':
        return [render(args[1]!)].flat(2).map(String).join(String(args[0]));
      case 'Fn::Split':
        return String(render(args[1]!)).split(String(args[0]));
      case 'Fn::If':
        return render(args[1]!); // the branch with the optional parameter set: the wider one
      default:
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
  };
  return render;
}

/** Identity policies of roles and resource policies, by a readable name. */
function policiesOf(name: string, template: Template, params: Record<string, string>): Record<string, Document> {
  const render = renderer(template, params);
  const out: Record<string, Document> = {};
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const props = (resource.Properties ?? {}) as Record<string, Json>;
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (props.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]) {
        out[`${name} ${id} ${policy.PolicyName}`] = render(policy.PolicyDocument) as Document;
      }
    } else if (resource.Type === 'AWS::SQS::QueuePolicy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      out[`${name} ${id}`] = render(props.PolicyDocument!) as Document;
    } else if (resource.Type === 'AWS::Events::EventBusPolicy') {
      out[`${name} ${id}`] = { Version: '2012-10-17', Statement: [render(props.Statement!)] };
    }
  }
  return out;
}

interface Finding {
  policy: string;
  issue: string;
  detail: string;
}

function lint(policies: Record<string, Document>): Finding[] {
  const run = spawnSync('python3', [LINT], { input: JSON.stringify(policies), encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`parliament could not run (python3 -m pip install parliament): ${run.stderr}`);
  return JSON.parse(run.stdout) as Finding[];
}

const serverless = loadTemplate(path.join(ROOT, 'serverless.yml')) as unknown as {
  custom: { im: { functions: Record<string, FunctionSettings> } };
  resources: { Resources?: Template['Resources'] }[];
};
const input = (over: Partial<GeneratorInput> = {}): GeneratorInput => ({
  service: 'instance-manager',
  stage: 'prod',
  region: REGION,
  defaults: { memorySize: 256, timeout: 60 },
  functions: serverless.custom.im.functions,
  clusterNames: ['my-eks-cluster'],
  passableRoleArns: [`arn:aws:iam::${ACCOUNT}:role/team-a-nodes`],
  logRetentionInDays: 30,
  ...over,
});

function shippedPolicies(over: Partial<GeneratorInput> = {}): Record<string, Document> {
  const generated = buildResources(input(over)) as unknown as Template;
  const stackResources = serverless.resources.find((r) => r.Resources)?.Resources ?? {};
  const serverlessTemplate = { Resources: { ...stackResources, ...generated.Resources } } as Template;
  const params = { RelayRoleArn: `arn:aws:iam::${ACCOUNT}:role/instance-manager-relay` };
  const out = policiesOf('serverless', serverlessTemplate, params);
  for (const file of readdirSync(path.join(ROOT, 'infra/aws')).filter((f) => /\.ya?ml$/.test(f))) {
    const template = loadTemplate(path.join(ROOT, 'infra/aws', file));
    const defaults = Object.fromEntries(
      Object.entries((template.Parameters ?? {}) as Record<string, { Default?: string }>).map(([k, p]) => [k, String(p.Default ?? '')]),
    );
    Object.assign(out, policiesOf(`infra/aws/${file}`, template, { ...defaults, PassableRoleArns: `arn:aws:iam::${ACCOUNT}:role/team-a-nodes` }));
  }
  return out;
}

/** parliament's findings that describe what these roles are for (they manage IAM roles and pass them), not a flaw. */
const BY_DESIGN = new Set(['PERMISSIONS_MANAGEMENT_ACTIONS', 'RESOURCE_POLICY_PRIVILEGE_ESCALATION']);
/**
 * parliament 1.6.4's action database lists only the Express form (express:…) for states:DescribeExecution, while
 * AWS documents the Standard form (execution:<machine>:<id>) too, which is what these machines are.
 */
const DATABASE_GAP = (f: { issue: string; detail: string }) =>
  f.issue === 'RESOURCE_MISMATCH' && /^\[\{"action": "states:DescribeExecution"[^\]]*\]$/.test(f.detail);

describe('every shipped IAM policy, linted by parliament with our auditors', () => {
  const policies = shippedPolicies();
  const findings = lint(policies);

  it('covers every function and state machine role, the CloudFormation service role, the relay role and the bus policy', () => {
    const names = Object.keys(policies);
    expect(names.length).toBeGreaterThan(30);
    for (const expected of ['EksCfCreateOrUpdateStackRole', 'EksManagedCreateNodeGroupRole', 'infra/aws/eks-cf-service-role.yaml ServiceRole', 'infra/aws/relay-irsa-role.yaml RelayRole', 'EventBusPolicy']) {
      expect(names.some((n) => n.includes(expected))).toBe(true);
    }
  });

  it('has no "*" actions, no unscoped PassRole, no tag action that could claim a resource, and nothing parliament rejects', () => {
    expect(findings.filter((f) => !BY_DESIGN.has(f.issue) && !DATABASE_GAP(f)).map((f) => `${f.policy}: ${f.issue} ${f.detail}`)).toEqual([]);
  });

  it('passes roles to EKS only under instance-manager’s IAM path or the configured list', () => {
    const pass = Object.entries(policies)
      .filter(([name]) => name.includes('EksManagedCreateNodeGroupRole'))
      .flatMap(([, doc]) => doc.Statement as { Action: string | string[]; Resource: string | string[] }[])
      .filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(pass.flatMap((s) => [s.Resource].flat())).toEqual([`arn:aws:iam::${ACCOUNT}:role/instance-manager/*`, `arn:aws:iam::${ACCOUNT}:role/team-a-nodes`]);
  });

  it('creates node groups, Fargate profiles and node access entries only in the configured clusters', () => {
    const creates = Object.values(policies)
      .flatMap((doc) => doc.Statement as { Effect: string; Action: string | string[]; Resource: string | string[] }[])
      .filter((s) => s.Effect === 'Allow' && [s.Action].flat().some((a) => /^eks:Create/.test(a)));
    expect(creates.length).toBeGreaterThan(0);
    for (const s of creates) for (const r of [s.Resource].flat()) expect(r).toMatch(/:(cluster|nodegroup|fargateprofile|access-entry)\/my-eks-cluster(\/|$)/);
  });

  it('denies PutEvents on the bus to everyone but the relay', () => {
    const bus = policies['serverless EventBusPolicy']!.Statement[0] as Record<string, any>;
    expect(bus).toMatchObject({ Effect: 'Deny', Action: 'events:PutEvents', Condition: { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/instance-manager-relay` } } });
  });
});

describe('the auditors themselves', () => {
  const findings = lint({
    star: { Version: '2012-10-17', Statement: [{ Sid: 'Star', Effect: 'Allow', Action: 'eks:*', Resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/x` }] },
    passAny: { Version: '2012-10-17', Statement: [{ Sid: 'PassAny', Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/*` }] },
    claim: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Claim', Effect: 'Allow', Action: 'eks:TagResource', Resource: `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/*/*/*`, Condition: { StringEquals: { 'aws:RequestTag/app.kubernetes.io/managed-by': 'instance-manager' } } },
      ],
    },
    claimRoles: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ClaimRoles', Effect: 'Allow', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: `arn:aws:iam::${ACCOUNT}:role/*`, Condition: { StringEquals: { 'aws:RequestTag/app.kubernetes.io/managed-by': 'instance-manager' } } },
      ],
    },
  });
  const issues = (policy: string) => findings.filter((f) => f.policy === policy).map((f) => f.issue);

  it('flag "*" actions, PassRole on every role, and tag actions that could claim an existing resource', () => {
    expect(issues('star')).toContain('STAR_ACTION');
    expect(issues('passAny')).toContain('PASSROLE_UNSCOPED');
    expect(issues('claim')).toContain('TAG_WITHOUT_OWNERSHIP');
    expect(issues('claimRoles')).toContain('TAG_WITHOUT_OWNERSHIP');
  });

  it('expand the resource markers of serverless.yml to every cluster configured', () => {
    const policies = shippedPolicies({ clusterNames: ['a', 'b'] });
    const text = JSON.stringify(policies);
    expect(text).toContain(`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/b`);
    for (const marker of Object.values(RESOURCE_MARKERS)) expect(text).not.toContain(marker);
  });
});
