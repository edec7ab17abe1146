// The parts of serverless.yml that follow the source tree: one Lambda per function folder (core/names/functions.ts:
// functions/<provisioner>/<step>, functions/common/<step>, top-level event targets), keyed by its flat id, one state
// machine + EventBridge rule per statemachines/<provisioner>-<operation>.asl.json, one IAM role per function and per
// state machine. serverless.yml reads them through scripts/package-aws.serverless.cjs (a `${file(...)}` variable), so a
// new function or workflow is deployed without editing serverless.yml; what a function may do in AWS (its IAM
// statements), its memory and its timeout are declared in serverless.yml under custom.functions.<function id>.
//
// No AWS call happens here: everything resolves offline, at `serverless package` time, from the tree and the
// serverless.yml settings. CloudFormation intrinsics (Fn::Sub, Fn::GetAtt, Ref) carry the account and region.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eventPattern, type Operation } from '../core/events/index.js';
import { functionFoldersById, functionId } from '../core/names/functions.js';
import { stateMachineEnvName } from '../functions/start-workflow/config.js';
import { taskBindings, type AslDefinition } from '../local/workflows/bind.js';
import { heartbeatResources, observabilityEnvironment, VPC_ACCESS_STATEMENT, vpcSettings, type VpcSettings } from './package-aws.operations.js';

export const REPO_ROOT = path.resolve(__dirname_(), '..');
export const FUNCTIONS_DIR = path.join(REPO_ROOT, 'functions');
export const STATE_MACHINES_DIR = path.join(REPO_ROOT, 'statemachines');
/** Where scripts/package-aws.ts leaves one zip per function (index.mjs at the zip's root). */
export const ARTIFACTS_DIR = 'dist/aws';

/** The Kubernetes group the workflow Lambdas' roles are mapped to (access entry or aws-auth); see infra/k8s/workflows-access.yaml. */
export const KUBERNETES_GROUP = 'instance-manager-workflows';
/** The extra group of the functions that edit aws-auth (kubernetes: node-access); see infra/k8s/workflows-rbac.yaml. */
export const NODE_ACCESS_GROUP = 'instance-manager-node-access';
/** The function EventBridge rules target; it starts executions under deterministic names. */
export const START_WORKFLOW = 'start-workflow';
/** The function the rule on Step Functions execution status changes targets; it reports failures onto groups. */
export const REPORT_EXECUTION_FAILURE = 'report-execution-failure';
/** Tag that marks what instance-manager created (core/names OWNERSHIP_TAGS.managedBy). */
export const MANAGED_BY_TAG = 'app.kubernetes.io/managed-by';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: Json;
  Condition?: Obj;
}

/** custom.functions.<folder> in serverless.yml. */
export interface FunctionSettings {
  description?: string;
  memorySize?: number;
  timeout?: number;
  environment?: Obj;
  /** IAM statements beyond logs and X-Ray, which every function gets. */
  statements?: Statement[];
  /**
   * The function reaches Kubernetes API servers: its role gets an EKS access entry / aws-auth mapping to the workflows'
   * group. `node-access` adds the group that may edit aws-auth: only the steps that map and unmap node roles.
   */
  kubernetes?: boolean | 'node-access';
}

export interface GeneratorInput {
  service: string;
  stage: string;
  region: string;
  defaults: Required<Pick<FunctionSettings, 'memorySize' | 'timeout'>>;
  functions: Record<string, FunctionSettings>;
  /**
   * EKS clusters this installation serves: their access entries are created for the Kubernetes-facing roles, and the
   * eks:Create* and tagging permissions name only them (RESOURCE_MARKERS). Empty: any cluster of the account.
   */
  clusterNames: string[];
  /** Role ARNs besides instance-manager's own (IAM path /instance-manager/) that the functions may pass to EKS. */
  passableRoleArns?: string[];
  logRetentionInDays: number;
  /** Private clusters: the Kubernetes-facing functions run in these subnets with these security groups. */
  vpc?: VpcSettings;
}

export interface StateMachineFile {
  file: string;
  /** e.g. eks-cf-apply */
  base: string;
  provisioner: string;
  operation: Operation;
}

function __dirname_(): string {
  // Works when loaded as ESM (tsx, jest) and when tsx compiles it to CommonJS for serverless.
  if (typeof __dirname === 'string') return __dirname;
  return path.dirname(new URL(import.meta.url).pathname);
}

/** Every function's flat id (eks-cf-create-or-update-stack, report-status, start-workflow): one Lambda each. */
export function functionFolders(root = FUNCTIONS_DIR): string[] {
  return [...functionFoldersById(root).keys()].sort();
}

/** statemachines/<provisioner>-<apply|delete>.asl.json */
export function stateMachineFiles(root = STATE_MACHINES_DIR): StateMachineFile[] {
  return readdirSync(root)
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((file) => {
      const base = file.slice(0, -'.asl.json'.length);
      const m = /^([a-z0-9-]+)-(apply|delete)$/.exec(base);
      if (!m) throw new Error(`statemachines/${file}: expected <provisioner>-<apply|delete>.asl.json`);
      return { file: path.join(root, file), base, provisioner: m[1]!, operation: m[2] as Operation };
    });
}

/** "eks-cf-create-or-update-stack" → "EksCfCreateOrUpdateStack": the serverless function key (and the ASL placeholder's base). */
export function pascal(kebab: string): string {
  return kebab
    .split('-')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** Serverless names a function's resources after its key: <Key>LambdaFunction, <Key>LogGroup. */
export const lambdaLogicalId = (folder: string) => `${pascal(folder)}LambdaFunction`;
export const roleLogicalId = (folder: string) => `${pascal(folder)}Role`;
export const stateMachineLogicalId = (base: string) => `${pascal(base)}StateMachine`;
export const ruleLogicalId = (base: string) => `${pascal(base)}Rule`;

/** IAM names are global and 64 characters at most: keep the readable start, end with a short hash if cut. */
export function iamName(...parts: string[]): string {
  const full = parts.join('-');
  if (full.length <= 64) return full;
  let h = 0;
  for (const c of full) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  const hash = h.toString(16).padStart(8, '0').slice(0, 8);
  return `${full.slice(0, 64 - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

const sub = (s: string): Obj => ({ 'Fn::Sub': s });
const getAtt = (id: string, attr: string): Obj => ({ 'Fn::GetAtt': [id, attr] });
const ref = (id: string): Obj => ({ Ref: id });

export function readAsl(file: string): { text: string; asl: AslDefinition } {
  const text = readFileSync(file, 'utf8');
  return { text, asl: JSON.parse(text) as AslDefinition };
}

/** Whether a function runs in the VPC: the Kubernetes-facing ones, when VPC settings are given. */
const inVpc = (input: GeneratorInput, settings: FunctionSettings) => !!input.vpc && !!settings.kubernetes;

/** The Lambda functions section of serverless.yml. */
export function buildFunctions(input: GeneratorInput, folders = functionFolders(), machines = stateMachineFiles()): Obj {
  const out: Obj = {};
  for (const folder of folders) {
    const settings = input.functions[folder] ?? {};
    const fn: Obj = {
      name: `${input.service}-${input.stage}-${folder}`,
      description: settings.description ?? `instance-manager: function ${folder}`,
      handler: 'index.handler',
      package: { artifact: `${ARTIFACTS_DIR}/${folder}.zip` },
      // Serverless also adds DependsOn on the role, which the GetAtt already implies (cfn-lint W3005, suppressed in
      // test/integration/deploy-package.test.ts).
      role: getAtt(roleLogicalId(folder), 'Arn'),
      memorySize: settings.memorySize ?? input.defaults.memorySize,
      timeout: settings.timeout ?? input.defaults.timeout,
      environment: { ...observabilityEnvironment(input), ...(settings.environment ?? {}) },
    };
    if (inVpc(input, settings)) fn.vpc = { subnetIds: input.vpc!.subnetIds, securityGroupIds: input.vpc!.securityGroupIds };
    if (folder === START_WORKFLOW) {
      const env = fn.environment as Obj;
      for (const m of machines) env[stateMachineEnvName(m.provisioner, m.operation)] = ref(stateMachineLogicalId(m.base));
      // EventBridge invokes asynchronously: Lambda retries a failed start twice, then parks the event.
      fn.maximumRetryAttempts = 2;
      fn.maximumEventAge = 21600;
      fn.destinations = { onFailure: { type: 'sqs', arn: getAtt('FailedStartsQueue', 'Arn') } };
    }
    out[pascal(folder)] = fn;
  }
  return out;
}

const LAMBDA_TRUST: Obj = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** X-Ray's PutTraceSegments and PutTelemetryRecords do not support resource-level permissions: "*" is required. */
export const XRAY_STATEMENT: Statement = {
  Sid: 'XRayTracesNoResourceLevelPermissions',
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Resource: '*',
};

/** instance-manager's IAM path (core/policy IAM_PATH): the roles and instance profiles it creates live under it. */
export const IAM_PATH = '/instance-manager/';

/**
 * Resource placeholders serverless.yml's statements may use, expanded from the installation's settings: the roles
 * the functions may pass, and the clusters (and what lives in them) they may create things in.
 */
export const RESOURCE_MARKERS = {
  passableRoles: 'IM::PassableRoles',
  clusters: 'IM::Clusters',
  nodegroups: 'IM::Nodegroups',
  fargateProfiles: 'IM::FargateProfiles',
  accessEntries: 'IM::AccessEntries',
} as const;

function expandMarker(value: Json, input: GeneratorInput): Json | Json[] {
  const eks = 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}';
  const clusters = input.clusterNames.length ? input.clusterNames : ['*'];
  switch (value) {
    case RESOURCE_MARKERS.passableRoles:
      return [sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${IAM_PATH}*`), ...(input.passableRoleArns ?? [])];
    case RESOURCE_MARKERS.clusters:
      return clusters.map((c) => sub(`${eks}:cluster/${c}`));
    case RESOURCE_MARKERS.nodegroups:
      return clusters.map((c) => sub(`${eks}:nodegroup/${c}/*/*`));
    case RESOURCE_MARKERS.fargateProfiles:
      return clusters.map((c) => sub(`${eks}:fargateprofile/${c}/*/*`));
    case RESOURCE_MARKERS.accessEntries:
      return clusters.map((c) => sub(`${eks}:access-entry/${c}/*/*/*/*`));
    default:
      return value;
  }
}

/** A statement with its resource markers expanded. */
export function expandStatement(statement: Statement, input: GeneratorInput): Statement {
  const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).flatMap((r) => expandMarker(r, input));
  return { ...statement, Resource: resources.length === 1 ? resources[0]! : resources };
}

function functionRole(input: GeneratorInput, folder: string, settings: FunctionSettings, machines: StateMachineFile[]): Obj {
  const fnName = `${input.service}-${input.stage}-${folder}`;
  const statements: Statement[] = [
    {
      Sid: 'OwnLogGroupOnly',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fnName}:*`),
    },
    XRAY_STATEMENT,
    ...(inVpc(input, settings) ? [VPC_ACCESS_STATEMENT] : []),
    ...(settings.statements ?? []).map((s) => expandStatement(s, input)),
  ];
  if (folder === REPORT_EXECUTION_FAILURE) {
    statements.push({
      Sid: 'ReadHowTheirExecutionsFailed',
      Effect: 'Allow',
      Action: ['states:GetExecutionHistory'],
      Resource: machines.map((m) => ({
        'Fn::Sub': ['arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*', { Name: getAtt(stateMachineLogicalId(m.base), 'Name') }],
      })),
    });
  }
  if (folder === START_WORKFLOW) {
    statements.push(
      {
        Sid: 'StartTheWorkflowsOfThisStackOnly',
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: machines.map((m) => ref(stateMachineLogicalId(m.base))),
      },
      {
        // An attempt that ended without a report is followed by the next one (functions/start-workflow/start.ts).
        Sid: 'SeeHowTheirExecutionsEnded',
        Effect: 'Allow',
        Action: ['states:DescribeExecution'],
        Resource: machines.map((m) => ({
          'Fn::Sub': [
            'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Name}:*',
            { Name: getAtt(stateMachineLogicalId(m.base), 'Name') },
          ],
        })),
      },
      {
        Sid: 'ParkFailedStartsInTheirQueue',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: getAtt('FailedStartsQueue', 'Arn'),
      },
    );
  }
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: iamName(input.service, input.stage, input.region, folder),
      Description: `instance-manager ${input.stage}: the ${folder} Lambda function`,
      AssumeRolePolicyDocument: LAMBDA_TRUST,
      Policies: [{ PolicyName: 'least-privilege', PolicyDocument: { Version: '2012-10-17', Statement: statements as unknown as Json[] } }],
      Tags: [
        { Key: MANAGED_BY_TAG, Value: 'instance-manager' },
        { Key: 'instancemgr.keikoproj.io/function', Value: folder },
      ],
    },
  };
}

function stateMachineResources(input: GeneratorInput, m: StateMachineFile, folders: Set<string>): Obj {
  const { text, asl } = readAsl(m.file);
  const bindings = taskBindings(asl);
  const missing = [...new Set(bindings.map((b) => b.folder))].filter((f) => !folders.has(functionId(f)));
  if (missing.length) {
    throw new Error(`statemachines/${path.basename(m.file)} names functions that do not exist: ${missing.map((f) => `functions/${f}/handler.ts`).join(', ')}`);
  }
  const id = stateMachineLogicalId(m.base);
  const name = `${input.service}-${input.stage}-${m.base}`;
  const substitutions: Obj = {};
  for (const b of bindings) substitutions[b.placeholder] = getAtt(lambdaLogicalId(functionId(b.folder)), 'Arn');
  const invoked = [...new Set(bindings.map((b) => functionId(b.folder)))].sort();
  return {
    [`${id}LogGroup`]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/aws/vendedlogs/states/${name}`, RetentionInDays: input.logRetentionInDays },
    },
    [`${id}Role`]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: iamName(input.service, input.stage, input.region, 'sfn', m.base),
        Description: `instance-manager ${input.stage}: the ${m.base} state machine`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'states.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'least-privilege',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'InvokeItsOwnStepsOnly',
                  Effect: 'Allow',
                  Action: ['lambda:InvokeFunction'],
                  Resource: invoked.map((f) => getAtt(lambdaLogicalId(f), 'Arn')),
                },
                {
                  Sid: 'LogDeliveryNoResourceLevelPermissions',
                  Effect: 'Allow',
                  Action: [
                    'logs:CreateLogDelivery',
                    'logs:GetLogDelivery',
                    'logs:UpdateLogDelivery',
                    'logs:DeleteLogDelivery',
                    'logs:ListLogDeliveries',
                    'logs:PutResourcePolicy',
                    'logs:DescribeResourcePolicies',
                    'logs:DescribeLogGroups',
                  ],
                  Resource: '*',
                },
                {
                  Sid: 'XRayNoResourceLevelPermissions',
                  Effect: 'Allow',
                  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
                  Resource: '*',
                },
              ],
            },
          },
        ],
        Tags: [{ Key: MANAGED_BY_TAG, Value: 'instance-manager' }],
      },
    },
    [id]: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: name,
        StateMachineType: 'STANDARD',
        RoleArn: getAtt(`${id}Role`, 'Arn'),
        // The file as it is in the repository (the same one the local runtime runs); the function ARNs replace its
        // ${<Name>FunctionArn} placeholders at deploy time.
        DefinitionString: text,
        DefinitionSubstitutions: substitutions,
        LoggingConfiguration: {
          Level: 'ERROR',
          IncludeExecutionData: false,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(`${id}LogGroup`, 'Arn') } }],
        },
        TracingConfiguration: { Enabled: true },
        Tags: [
          { Key: MANAGED_BY_TAG, Value: 'instance-manager' },
          { Key: 'instancemgr.keikoproj.io/workflow', Value: m.base },
        ],
      },
    },
    [`${id}FailedAlarm`]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${name}-executions-failed`,
        AlarmDescription: `An execution of ${name} failed or timed out: the InstanceGroup status says why; see the execution in the Step Functions console.`,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        Metrics: [
          {
            Id: 'failed',
            ReturnData: false,
            MetricStat: { Metric: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: ref(id) }] }, Period: 300, Stat: 'Sum' },
          },
          {
            Id: 'timedout',
            ReturnData: false,
            MetricStat: { Metric: { Namespace: 'AWS/States', MetricName: 'ExecutionsTimedOut', Dimensions: [{ Name: 'StateMachineArn', Value: ref(id) }] }, Period: 300, Stat: 'Sum' },
          },
          { Id: 'failures', Expression: 'failed + timedout', Label: 'Failed or timed-out executions', ReturnData: true },
        ],
        AlarmActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], ref('AWS::NoValue')] },
        OKActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], ref('AWS::NoValue')] },
      },
    },
    [ruleLogicalId(m.base)]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `${input.service}-${input.stage}-${m.base}`,
        Description: `InstanceGroup ${m.operation} for provisioner ${m.provisioner} → ${START_WORKFLOW} → ${name}`,
        EventBusName: ref('EventBus'),
        EventPattern: eventPattern(m.provisioner, m.operation) as unknown as Obj,
        State: 'ENABLED',
        Targets: [
          {
            Id: START_WORKFLOW,
            Arn: getAtt(lambdaLogicalId(START_WORKFLOW), 'Arn'),
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
            DeadLetterConfig: { Arn: getAtt('UndeliveredEventsQueue', 'Arn') },
          },
        ],
      },
    },
    [`${ruleLogicalId(m.base)}InvokePermission`]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: ref(lambdaLogicalId(START_WORKFLOW)),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(ruleLogicalId(m.base), 'Arn'),
      },
    },
  };
}

/**
 * Executions stop at the step that failed (so that Redrive resumes there); this rule, on the default bus, hands every
 * FAILED, TIMED_OUT or ABORTED execution of this stack's machines to the function that reports it onto the group.
 */
function executionFailureRule(machines: StateMachineFile[]): Obj {
  return {
    ExecutionFailuresRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `Failed, timed-out and aborted executions → ${REPORT_EXECUTION_FAILURE}`,
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: machines.map((m) => ref(stateMachineLogicalId(m.base))) },
        },
        State: 'ENABLED',
        Targets: [
          {
            Id: REPORT_EXECUTION_FAILURE,
            Arn: getAtt(lambdaLogicalId(REPORT_EXECUTION_FAILURE), 'Arn'),
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          },
        ],
      },
    },
    ExecutionFailuresRuleInvokePermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: ref(lambdaLogicalId(REPORT_EXECUTION_FAILURE)),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt('ExecutionFailuresRule', 'Arn'),
      },
    },
  };
}

/** Resources and Outputs that follow the tree (merged with the static ones in serverless.yml). */
export function buildResources(input: GeneratorInput, folders = functionFolders(), machines = stateMachineFiles()): { Resources: Obj; Outputs: Obj } {
  const Resources: Obj = {};
  const Outputs: Obj = {};
  const known = new Set(folders);
  for (const folder of folders) Resources[roleLogicalId(folder)] = functionRole(input, folder, input.functions[folder] ?? {}, machines);
  for (const m of machines) Object.assign(Resources, stateMachineResources(input, m, known));

  // Only the rules of this stack may park undeliverable events in the queue.
  Resources.UndeliveredEventsQueuePolicy = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref('UndeliveredEventsQueue')],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'RulesOfThisStackOnly',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt('UndeliveredEventsQueue', 'Arn'),
            Condition: { ArnEquals: { 'aws:SourceArn': machines.map((m) => getAtt(ruleLogicalId(m.base), 'Arn')) } },
          },
        ],
      },
    },
  };

  Object.assign(Resources, heartbeatResources(input, lambdaLogicalId(START_WORKFLOW)));
  if (known.has(REPORT_EXECUTION_FAILURE)) Object.assign(Resources, executionFailureRule(machines));

  const kubeFolders = folders.filter((f) => input.functions[f]?.kubernetes);
  for (const cluster of input.clusterNames) {
    for (const folder of kubeFolders) {
      Resources[`${pascal(folder)}AccessEntry${pascal(cluster.replace(/[^A-Za-z0-9]+/g, '-'))}`] = {
        Type: 'AWS::EKS::AccessEntry',
        Properties: {
          ClusterName: cluster,
          PrincipalArn: getAtt(roleLogicalId(folder), 'Arn'),
          Type: 'STANDARD',
          KubernetesGroups: input.functions[folder]?.kubernetes === 'node-access' ? [KUBERNETES_GROUP, NODE_ACCESS_GROUP] : [KUBERNETES_GROUP],
          Tags: [{ Key: MANAGED_BY_TAG, Value: 'instance-manager' }],
        },
      };
    }
  }

  for (const m of machines) {
    Outputs[`${pascal(m.base)}StateMachineArn`] = { Description: `statemachines/${m.base}.asl.json`, Value: ref(stateMachineLogicalId(m.base)) };
  }
  Outputs.KubernetesRoleArns = {
    Description: `Roles of the functions that call Kubernetes: map each to the Kubernetes group ${KUBERNETES_GROUP} (access entry or aws-auth; docs/operations/install.md)`,
    Value: kubeFolders.length ? { 'Fn::Join': [',', kubeFolders.map((f) => getAtt(roleLogicalId(f), 'Arn'))] } : 'none',
  };
  const nodeAccessFolders = kubeFolders.filter((f) => input.functions[f]?.kubernetes === 'node-access');
  Outputs.NodeAccessRoleArns = {
    Description: `Roles of the functions that edit aws-auth: map each to ${NODE_ACCESS_GROUP} as well (docs/operations/security.md)`,
    Value: nodeAccessFolders.length ? { 'Fn::Join': [',', nodeAccessFolders.map((f) => getAtt(roleLogicalId(f), 'Arn'))] } : 'none',
  };
  return { Resources, Outputs };
}

/** What serverless.yml's `${file(./scripts/package-aws.serverless.cjs):...}` variables resolve to. */
export function serverlessFragments(input: GeneratorInput) {
  const folders = functionFolders();
  const machines = stateMachineFiles();
  if (!folders.includes(START_WORKFLOW)) throw new Error(`functions/${START_WORKFLOW}/handler.ts is missing: the rules have nothing to target`);
  return { functions: buildFunctions(input, folders, machines), resources: buildResources(input, folders, machines) };
}

/** `${file(...)}` hands us serverless' resolvers; everything else comes from serverless.yml. */
export async function fromServerless(resolve: {
  resolveConfigurationProperty: (path: string[]) => Promise<unknown>;
  resolveVariable: (variable: string) => Promise<unknown>;
}) {
  const custom = ((await resolve.resolveConfigurationProperty(['custom', 'im'])) ?? {}) as {
    functionDefaults?: GeneratorInput['defaults'];
    functions?: Record<string, FunctionSettings>;
    logRetentionInDays?: number;
  };
  const clusters = String((await resolve.resolveVariable('param:clusterNames')) ?? '');
  const passable = String((await resolve.resolveVariable('param:passableRoleArns')) ?? '');
  const vpc = vpcSettings(
    String((await resolve.resolveVariable('param:vpcSubnetIds')) ?? ''),
    String((await resolve.resolveVariable('param:vpcSecurityGroupIds')) ?? ''),
  );
  return serverlessFragments({
    service: String(await resolve.resolveConfigurationProperty(['service'])),
    stage: String(await resolve.resolveVariable('sls:stage')),
    region: String(await resolve.resolveConfigurationProperty(['provider', 'region'])),
    defaults: custom.functionDefaults ?? { memorySize: 256, timeout: 60 },
    functions: custom.functions ?? {},
    clusterNames: clusters.split(',').map((c) => c.trim()).filter(Boolean),
    passableRoleArns: passable.split(',').map((c) => c.trim()).filter(Boolean),
    logRetentionInDays: Number(custom.logRetentionInDays ?? 30),
    vpc,
  });
}

