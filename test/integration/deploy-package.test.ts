// The AWS side as `serverless package` renders it, offline: built once (bundles, zips, osls with dummy
// credentials), then checked against the tree. Every list here is derived from functions/ and statemachines/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { eventPattern, heartbeatPattern, nodeReadyPattern } from '../../core/events/index.js';
import { stateMachineArnsFromEnv } from '../../core/workflows/state-machine-arns.js';
import { loadAsl, taskBindings } from '../../core/workflows/bindings.js';
import { functionId } from '../../core/names/functions.js';
import {
  functionFolders,
  lambdaLogicalId,
  pascal,
  roleLogicalId,
  ruleLogicalId,
  stateMachineFiles,
  stateMachineLogicalId,
  START_WORKFLOW,
} from '../../scripts/package-aws.config.js';
import { HEARTBEAT_RULE } from '../../scripts/package-aws.operations.js';
import { packageAws, TEMPLATE_FILE, type Artifact } from '../../scripts/package-aws.js';
import { functionCalls, type FunctionCalls } from '../unit/deploy/sdk-actions.js';
import {
  actionMatches,
  asList,
  cfnLint,
  isReadOnly,
  loadTemplate,
  resourceText,
  roleStatements,
  type PolicyStatement,
  type Template,
} from '../unit/deploy/iam.js';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const folders = functionFolders();
const machines = stateMachineFiles();

/**
 * Actions AWS does not let a policy scope to a resource: "*" is the only valid Resource for them. Any Allow with
 * Resource "*" must consist of these.
 */
const STAR_RESOURCE_REQUIRED: Record<string, string> = {
  'states:SendTaskSuccess': 'SendTask* take no resource (the task token, held only by the waiting workflow, scopes them)',
  'states:SendTaskFailure': 'SendTask* take no resource (the task token, held only by the waiting workflow, scopes them)',
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingRules': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingTargets': 'X-Ray has no resource-level permissions',
  'logs:CreateLogDelivery': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:GetLogDelivery': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:UpdateLogDelivery': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:DeleteLogDelivery': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:ListLogDeliveries': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:PutResourcePolicy': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:DescribeResourcePolicies': 'Step Functions log delivery (vended logs) requires "*"',
  'logs:DescribeLogGroups': 'Step Functions log delivery (vended logs) requires "*"',
  'ec2:DescribeSubnets': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeSecurityGroups': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeKeyPairs': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeImages': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeInstances': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeLaunchTemplates': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeLaunchTemplateVersions': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeVpcs': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeAvailabilityZones': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeAccountAttributes': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeInstanceTypes': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeTags': 'EC2 Describe* actions have no resource-level permissions',
  'autoscaling:DescribeAutoScalingGroups': 'Auto Scaling Describe* actions have no resource-level permissions',
  'autoscaling:DescribeAutoScalingInstances': 'Auto Scaling Describe* actions have no resource-level permissions',
  'autoscaling:DescribeScalingActivities': 'Auto Scaling Describe* actions have no resource-level permissions',
  'autoscaling:DescribeLifecycleHooks': 'Auto Scaling Describe* actions have no resource-level permissions',
  'autoscaling:DescribeTags': 'Auto Scaling Describe* actions have no resource-level permissions',
};

/**
 * Statements whose resource is an account-wide pattern (…/*) with neither a tag condition nor read-only actions,
 * by Sid, with the reason AWS leaves no narrower choice.
 */
const ACCOUNT_WIDE_BY_DESIGN: Record<string, string> = {
  OwnLogGroupOnly: 'the ":*" is the log streams of the function\'s own log group',
  InstanceProfilesUnderOurPathOnly: "AWS::IAM::InstanceProfile takes no tags; scoped by instance-manager's IAM path instead",
  RunInstancesForTheAutoScalingGroups: 'RunInstances touches instances, volumes, interfaces, subnets, security groups, key pairs and AMIs; scoped to this account and region (and AMIs of any owner)',
};

let template: Template;
let artifacts: Artifact[];
const calls = new Map<string, FunctionCalls>();

beforeAll(async () => {
  ({ artifacts, template } = (await packageAws()) as { artifacts: Artifact[]; template: Template });
  for (const f of folders) calls.set(f, await functionCalls(ROOT, f));
}, 600_000);

const resource = (id: string) => {
  const r = template.Resources[id];
  if (!r) throw new Error(`the packaged template has no resource ${id}`);
  return r;
};
const props = (id: string) => resource(id).Properties as Record<string, any>;

function statementsOfRole(roleId: string): PolicyStatement[] {
  const found = roleStatements(template).find((r) => r.role === roleId);
  if (!found) throw new Error(`no IAM role ${roleId}`);
  return found.statements;
}

function allowed(statements: PolicyStatement[], action: string): boolean {
  const allows = statements.filter((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => actionMatches(a, action)));
  const denied = statements.some((s) => s.Effect === 'Deny' && !s.Condition && asList(s.Action).some((a) => actionMatches(a, action)));
  return allows.length > 0 && !denied;
}

describe('serverless package (offline)', () => {
  it('renders a Lambda function for every functions/<folder>/handler.ts: nodejs22.x, arm64, X-Ray, its own zip', () => {
    expect(folders.length).toBeGreaterThan(0);
    const lambdas = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(lambdas.map(([id]) => id).sort()).toEqual(folders.map(lambdaLogicalId).sort());
    for (const f of folders) {
      const p = props(lambdaLogicalId(f));
      expect({ f, runtime: p.Runtime, arch: p.Architectures, tracing: p.TracingConfig?.Mode, handler: p.Handler }).toEqual({
        f,
        runtime: 'nodejs22.x',
        arch: ['arm64'],
        tracing: 'Active',
        handler: 'index.handler',
      });
      expect(p.Code.S3Key).toMatch(new RegExp(`/${f}\\.zip$`));
      expect(p.MemorySize).toBeGreaterThanOrEqual(128);
      expect(p.Timeout).toBeLessThanOrEqual(900);
    }
  });

  it('zips each bundle with index.mjs and its source map at the root, and the zip is what unzip reads back', () => {
    expect(artifacts.map((a) => a.name).sort()).toEqual(folders);
    for (const a of artifacts) {
      expect(existsSync(a.zipFile)).toBe(true);
      const list = spawnSync('unzip', ['-Z1', a.zipFile], { encoding: 'utf8' });
      expect(list.status).toBe(0);
      expect(list.stdout.trim().split('\n')).toEqual(['index.mjs', 'index.mjs.map']);
    }
  });

  it('gives every function its own role and a log group with retention', () => {
    const roles = new Set<string>();
    for (const f of folders) {
      const roleRef = props(lambdaLogicalId(f)).Role;
      expect(roleRef).toEqual({ 'Fn::GetAtt': [roleLogicalId(f), 'Arn'] });
      roles.add(roleLogicalId(f));
      expect(resource(roleLogicalId(f)).Type).toBe('AWS::IAM::Role');
      const logGroup = props(`${pascal(f)}LogGroup`);
      expect(logGroup.LogGroupName).toBe(`/aws/lambda/${props(lambdaLogicalId(f)).FunctionName}`);
      expect(logGroup.RetentionInDays).toBeGreaterThan(0);
    }
    expect(roles.size).toBe(folders.length);
  });

  it('resolves every Task of every ASL file to a deployed function, and the state machine may invoke only those', () => {
    expect(machines.length).toBeGreaterThan(0);
    for (const m of machines) {
      const sm = props(stateMachineLogicalId(m.base));
      const asl = loadAsl(m.file);
      const bindings = taskBindings(asl);
      expect(bindings.length).toBeGreaterThan(0);
      expect(JSON.parse(sm.DefinitionString)).toEqual(asl);
      for (const b of bindings) {
        expect({ state: b.state, sub: sm.DefinitionSubstitutions[b.placeholder] }).toEqual({
          state: b.state,
          sub: { 'Fn::GetAtt': [lambdaLogicalId(functionId(b.folder)), 'Arn'] },
        });
        expect(props(lambdaLogicalId(functionId(b.folder))).Code.S3Key).toMatch(new RegExp(`/${functionId(b.folder)}\\.zip$`));
      }
      // Nothing left for CloudFormation to fail on: every ${...} in the definition has a substitution.
      const placeholders = [...sm.DefinitionString.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((x: RegExpMatchArray) => x[1]);
      expect(Object.keys(sm.DefinitionSubstitutions).sort()).toEqual([...new Set(placeholders)].sort());

      const invoke = statementsOfRole(`${stateMachineLogicalId(m.base)}Role`).filter((s) => asList(s.Action).includes('lambda:InvokeFunction'));
      const invocable = invoke.flatMap((s) => asList(s.Resource)).map((r) => (r as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
      expect(invocable.sort()).toEqual([...new Set(bindings.map((b) => lambdaLogicalId(functionId(b.folder))))].sort());
      expect(sm.TracingConfiguration).toEqual({ Enabled: true });
      expect(sm.LoggingConfiguration.Destinations).toHaveLength(1);
    }
  });

  it('routes each provisioner and operation through its own rule, with the pattern of core/events, to start-workflow', () => {
    for (const m of machines) {
      const rule = props(ruleLogicalId(m.base));
      expect(rule.EventPattern).toEqual(eventPattern(m.provisioner, m.operation));
      expect(rule.EventBusName).toEqual({ Ref: 'EventBus' });
      expect(rule.Targets).toHaveLength(1);
      const [target] = rule.Targets;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [lambdaLogicalId(START_WORKFLOW), 'Arn'] });
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': ['UndeliveredEventsQueue', 'Arn'] });
      const permission = Object.values(template.Resources).find(
        (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties?.SourceArn) === JSON.stringify({ 'Fn::GetAtt': [ruleLogicalId(m.base), 'Arn'] }),
      );
      expect(permission?.Properties?.Principal).toBe('events.amazonaws.com');
    }
    // Every rule the template has belongs to a state machine file, but for the relay heartbeat rule, the one on
    // execution status changes that reports failed executions (issue 14), and the CloudFormation status rule that
    // resumes eks-cf stack waits (default bus, to eks-cf-stack-event), and the relay's node-ready rule that resumes
    // eks-cf node-join waits (our bus, to eks-cf-node-event).
    const rules = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule').map(([id]) => id);
    expect(rules.sort()).toEqual([...machines.map((m) => ruleLogicalId(m.base)), HEARTBEAT_RULE, 'ExecutionFailuresRule', 'EksCfStackEventsRule', 'EksCfNodeEventsRule'].sort());
    const nodeEvents = props('EksCfNodeEventsRule');
    expect(nodeEvents.EventPattern).toEqual(nodeReadyPattern());
    expect(nodeEvents.EventBusName).toEqual({ Ref: 'EventBus' });
    expect(nodeEvents.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [lambdaLogicalId('eks-cf-node-event'), 'Arn'] });
    const stackEvents = props('EksCfStackEventsRule');
    expect(stackEvents.EventPattern).toMatchObject({ source: ['aws.cloudformation'], 'detail-type': ['CloudFormation Stack Status Change'] });
    expect(stackEvents.EventBusName).toBeUndefined();
    expect(stackEvents.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [lambdaLogicalId('eks-cf-stack-event'), 'Arn'] });
  });

  it('counts the relay heartbeats in start-workflow and alarms when they stop', () => {
    const rule = props(HEARTBEAT_RULE);
    expect(rule.EventPattern).toEqual(heartbeatPattern());
    expect(rule.Targets.map((t: { Arn: unknown }) => t.Arn)).toEqual([{ 'Fn::GetAtt': [lambdaLogicalId(START_WORKFLOW), 'Arn'] }]);
    const alarm = props('RelaySilentAlarm');
    expect(alarm).toMatchObject({ Namespace: 'InstanceManager', MetricName: 'RelayHeartbeats', ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    const service = props(lambdaLogicalId(START_WORKFLOW)).Environment.Variables.POWERTOOLS_SERVICE_NAME;
    expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: service }]);
    // The archive keeps changes only, so a replay does not re-send heartbeats.
    expect(props('EventArchive').EventPattern['detail-type']).toEqual(['InstanceGroup Change']);
  });

  it('runs every function with Powertools settings and source-mapped stack traces, and has a dashboard', () => {
    for (const f of folders) {
      const env = props(lambdaLogicalId(f)).Environment.Variables;
      expect({ f, env }).toMatchObject({ f, env: { POWERTOOLS_METRICS_NAMESPACE: 'InstanceManager', NODE_OPTIONS: '--enable-source-maps' } });
      expect(env.POWERTOOLS_SERVICE_NAME).toMatch(/^instance-manager-/);
    }
    const body = props('Dashboard').DashboardBody['Fn::Sub'];
    // What CloudWatch receives must be JSON once Fn::Sub has filled in the names.
    const filled = String(body[0]).replace(/\$\{[^}]+\}/g, 'x');
    const widgets = (JSON.parse(filled) as { widgets: { properties: { title: string } }[] }).widgets.map((w) => w.properties.title);
    expect(widgets).toEqual(expect.arrayContaining(['Workflow results by provisioner', 'Failures by provisioner and reason', 'Relay heartbeats per cluster (one per 5 minutes while a relay leads)']));
  });

  it("tells start-workflow every state machine in the variables its own config parser reads", () => {
    const env = props(lambdaLogicalId(START_WORKFLOW)).Environment.Variables as Record<string, unknown>;
    const fakeArn = (id: string) => `arn:aws:states:us-west-2:123456789012:stateMachine:${id}`;
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, typeof v === 'object' && v && 'Ref' in v ? fakeArn(String((v as { Ref: string }).Ref)) : String(v)]),
    );
    const parsed = stateMachineArnsFromEnv(resolved);
    expect(parsed).toEqual(Object.fromEntries(machines.map((m) => [`${m.provisioner}/${m.operation}`, fakeArn(stateMachineLogicalId(m.base))])));
    const start = statementsOfRole(roleLogicalId(START_WORKFLOW)).find((s) => asList(s.Action).includes('states:StartExecution'));
    expect(asList(start?.Resource)).toEqual(machines.map((m) => ({ Ref: stateMachineLogicalId(m.base) })));
  });

  it('has the bus, an archive, dead-letter queues and alarms on failed executions and queue depth', () => {
    const byType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
    expect(byType('AWS::Events::EventBus')).toHaveLength(1);
    expect(props('EventArchive').SourceArn).toEqual({ 'Fn::GetAtt': ['EventBus', 'Arn'] });
    const alarms = byType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as Record<string, any>);
    for (const m of machines) {
      const alarm = props(`${stateMachineLogicalId(m.base)}FailedAlarm`);
      const metrics = alarm.Metrics.filter((x: any) => x.MetricStat).map((x: any) => x.MetricStat.Metric);
      expect(metrics.map((x: any) => x.MetricName).sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
      for (const x of metrics) expect(x.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: stateMachineLogicalId(m.base) } }]);
    }
    for (const queue of ['UndeliveredEventsQueue', 'FailedStartsQueue', 'FailedReportsQueue']) {
      expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(queue))).toBe(true);
    }
    const invokeConfig = byType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties as Record<string, any>);
    // start-workflow and report-execution-failure park what still fails after Lambda's retries; nothing is dropped.
    expect(invokeConfig.map((c) => c.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]).sort()).toEqual(['FailedReportsQueue', 'FailedStartsQueue']);
  });
});

describe('cfn-lint', () => {
  it('passes on the packaged template', () => {
    // W3005 suppressed: serverless adds `DependsOn: <role>` to every function whose role is a template resource,
    // while the function's Role GetAtt already orders them. Redundant, harmless, and not ours to remove.
    const { code, output } = cfnLint([TEMPLATE_FILE], ['W3005']);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('passes on every template in infra/', () => {
    const templates = readdirSync(path.join(ROOT, 'infra', 'aws'))
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => path.join(ROOT, 'infra', 'aws', f));
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) expect(loadTemplate(t).Resources).toBeDefined();
    const { code, output } = cfnLint(templates);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});

describe('least privilege', () => {
  it("allows every AWS action a function's code sends, derived from the SDK commands in its bundle", () => {
    const missing: string[] = [];
    for (const f of folders) {
      const statements = statementsOfRole(roleLogicalId(f));
      for (const action of calls.get(f)!.actions) if (!allowed(statements, action)) missing.push(`${f}: ${action}`);
    }
    expect(missing).toEqual([]);
    // The derivation itself finds something: the workflow steps talk to AWS.
    expect([...calls.values()].some((c) => c.actions.length > 0)).toBe(true);
  });

  it('maps every function that reaches Kubernetes to the workflows group (access entry / aws-auth output)', () => {
    const kube = folders.filter((f) => calls.get(f)!.sources.some((s) => s.endsWith('core/kube/access.ts')));
    expect(kube.length).toBeGreaterThan(0);
    const listed = JSON.stringify((template.Outputs as Record<string, { Value: unknown }>).KubernetesRoleArns!.Value);
    for (const f of folders) expect({ f, mapped: listed.includes(`"${roleLogicalId(f)}"`) }).toEqual({ f, mapped: kube.includes(f) });
  });

  const allTemplates = (): [string, Template][] => [
    ['serverless', template],
    ...readdirSync(path.join(ROOT, 'infra', 'aws'))
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f): [string, Template] => [`infra/aws/${f}`, loadTemplate(path.join(ROOT, 'infra', 'aws', f))]),
  ];

  it('grants no "*" actions in any role', () => {
    const offenders: string[] = [];
    for (const [name, t] of allTemplates()) {
      for (const { role, statements } of roleStatements(t)) {
        for (const s of statements) {
          if (s.Effect !== 'Allow') continue;
          for (const a of asList(s.Action)) if (a === '*' || /:\*$/.test(a)) offenders.push(`${name} ${role}: ${a}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('uses wildcard resources only where AWS requires them, or scoped by tag, read-only, or listed with a reason', () => {
    const offenders: string[] = [];
    let starStatements = 0;
    for (const [name, t] of allTemplates()) {
      for (const { role, statements } of roleStatements(t)) {
        for (const s of statements) {
          if (s.Effect !== 'Allow') continue;
          const actions = asList(s.Action);
          for (const r of asList(s.Resource).map(resourceText)) {
            if (r === '*') {
              starStatements++;
              for (const a of actions) if (!STAR_RESOURCE_REQUIRED[a]) offenders.push(`${name} ${role} ${s.Sid ?? ''}: ${a} on "*"`);
            } else if (r.includes('*')) {
              const scoped = !!s.Condition || actions.every(isReadOnly) || (s.Sid !== undefined && s.Sid in ACCOUNT_WIDE_BY_DESIGN);
              if (!scoped) offenders.push(`${name} ${role} ${s.Sid ?? ''}: ${actions.join(',')} on ${r}`);
            }
          }
        }
      }
    }
    expect(offenders).toEqual([]);
    expect(starStatements).toBeGreaterThan(0);
  });
});
