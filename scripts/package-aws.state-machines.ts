// One workflow's resources (its state machine, log group, role, failure alarm, and the EventBridge rule that starts
// it through start-workflow) and the rule that hands failed executions to report-execution-failure.
import { functionId } from '../core/names/functions.js';
import path from 'node:path';
import { eventPattern } from '../core/events/index.js';
import { taskBindings, type StateMachineFile } from '../core/workflows/bindings.js';
import {
  getAtt,
  iamName,
  lambdaLogicalId,
  MANAGED_BY_TAG,
  readAsl,
  ref,
  REPORT_EXECUTION_FAILURE,
  ruleLogicalId,
  START_WORKFLOW,
  stateMachineLogicalId,
  type GeneratorInput,
  type Obj,
} from './package-aws.cfn.js';

export function stateMachineResources(input: GeneratorInput, m: StateMachineFile, folders: Set<string>): Obj {
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
export function executionFailureRule(machines: StateMachineFile[]): Obj {
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

