// The parts of serverless.yml that follow the source tree: one Lambda per function folder (core/names/functions.ts:
// functions/<provisioner>/<step>, functions/common/<step>, top-level event targets), keyed by its flat id, one state
// machine + EventBridge rule per statemachines/<provisioner>-<operation>.asl.json, one IAM role per function and per
// state machine. serverless.yml reads them through scripts/package-aws.serverless.cjs (a `${file(...)}` variable), so a
// new function or workflow is deployed without editing serverless.yml; what a function may do in AWS (its IAM
// statements), its memory and its timeout are declared in serverless.yml under custom.functions.<function id>.
//
// No AWS call happens here: everything resolves offline, at `serverless package` time, from the tree and the
// serverless.yml settings. CloudFormation intrinsics (Fn::Sub, Fn::GetAtt, Ref) carry the account and region.
// The pieces: package-aws.cfn.ts (input, names, intrinsics), package-aws.iam.ts (function roles),
// package-aws.state-machines.ts (one workflow's resources), package-aws.operations.ts (heartbeat, VPC, observability).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { functionFoldersById } from '../core/names/functions.js';
import { FUNCTIONS_DIR, stateMachineFiles } from '../core/workflows/bindings.js';
import { stateMachineOutputName } from '../core/workflows/names.js';
import { stateMachineEnvName } from '../core/workflows/state-machine-arns.js';
import {
  ARTIFACTS_DIR,
  getAtt,
  inVpc,
  KUBERNETES_GROUP,
  lambdaLogicalId,
  MANAGED_BY_TAG,
  NODE_ACCESS_GROUP,
  pascal,
  ref,
  REPORT_EXECUTION_FAILURE,
  roleLogicalId,
  ruleLogicalId,
  START_WORKFLOW,
  stateMachineLogicalId,
  type FunctionSettings,
  type GeneratorInput,
  type Obj,
} from './package-aws.cfn.js';
import { functionRole } from './package-aws.iam.js';
import { heartbeatResources, observabilityEnvironment, vpcSettings } from './package-aws.operations.js';
import { executionFailureRule, stateMachineResources } from './package-aws.state-machines.js';

export * from './package-aws.cfn.js';
export { expandStatement, IAM_PATH, RESOURCE_MARKERS, XRAY_STATEMENT } from './package-aws.iam.js';
export { FUNCTIONS_DIR, REPO_ROOT, STATE_MACHINES_DIR, stateMachineFiles, type StateMachineFile } from '../core/workflows/bindings.js';

/** Every function's flat id (eks-cf-create-or-update-stack, report-status, start-workflow): one Lambda each. */
export function functionFolders(root = FUNCTIONS_DIR): string[] {
  return [...functionFoldersById(root).keys()].sort();
}

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
    if (folder === REPORT_EXECUTION_FAILURE) {
      // A report that still fails after its own in-process retries and Lambda's two is parked, not dropped: the
      // message names the execution, and replaying it (or the relay's resync) moves the group out of Running.
      fn.maximumRetryAttempts = 2;
      fn.maximumEventAge = 21600;
      fn.destinations = { onFailure: { type: 'sqs', arn: getAtt('FailedReportsQueue', 'Arn') } };
    }
    out[pascal(folder)] = fn;
  }
  return out;
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
    Outputs[stateMachineOutputName(m.provisioner, m.operation)] = { Description: `statemachines/${m.base}.asl.json`, Value: ref(stateMachineLogicalId(m.base)) };
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

