// The Lambda functions' IAM roles: logs and X-Ray for every function, the statements serverless.yml declares under
// custom.functions.<folder> (with their resource markers expanded from the installation's settings), and what the
// start-workflow and report-execution-failure functions need of this stack's state machines.
import { IAM_PATH } from '../core/policy/policy.js';
import { VPC_ACCESS_STATEMENT } from './package-aws.operations.js';
import {
  getAtt,
  iamName,
  inVpc,
  MANAGED_BY_TAG,
  ref,
  REPORT_EXECUTION_FAILURE,
  START_WORKFLOW,
  stateMachineLogicalId,
  sub,
  type FunctionSettings,
  type GeneratorInput,
  type Json,
  type Obj,
  type Statement,
} from './package-aws.cfn.js';
import type { StateMachineFile } from '../core/workflows/bindings.js';

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

/** instance-manager's IAM path: the roles and instance profiles it creates live under it. */
export { IAM_PATH };

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

export function functionRole(input: GeneratorInput, folder: string, settings: FunctionSettings, machines: StateMachineFile[]): Obj {
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
    }, {
      Sid: 'ParkFailedReportsInTheirQueue',
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: getAtt('FailedReportsQueue', 'Arn'),
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

