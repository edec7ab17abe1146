// The operational parts of the serverless stack that do not follow the source tree: Powertools settings shared by
// every function, the relay heartbeat rule and its "relay silent" alarms, and the optional VPC placement of the
// Kubernetes-facing functions (private clusters). scripts/package-aws.config.ts puts them in place.
import { heartbeatPattern } from '../core/events/index.js';
import type { Statement } from './package-aws.cfn.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** What these parts need to know of the stack being generated. */
export interface StageInput {
  service: string;
  stage: string;
  /** The clusters this installation serves (one relay-silent alarm each). */
  clusterNames: string[];
}

const getAtt = (id: string, attr: string): Obj => ({ 'Fn::GetAtt': [id, attr] });
const ref = (id: string): Obj => ({ Ref: id });
/** A cluster name as part of a logical id: "blue-1" → "Blue1". */
const logicalIdPart = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

export interface VpcSettings {
  subnetIds: string[];
  securityGroupIds: string[];
}

/** The heartbeat rule: the relay's heartbeats → start-workflow, which counts them (the "relay silent" alarm). */
export const HEARTBEAT_RULE = 'RelayHeartbeatRule';
/** CloudWatch namespace of the functions' own metrics (Powertools Metrics, functions/kit/observability.ts). */
export const METRICS_NAMESPACE = 'InstanceManager';
/** The alarm fires after this many 5-minute periods without a heartbeat (the relay beats every 5 minutes). */
export const HEARTBEAT_MISSING_PERIODS = 3;

/** The Powertools service name, a dimension of every metric: one per stage. */
export const serviceName = (input: Pick<StageInput, 'service' | 'stage'>) => `${input.service}-${input.stage}`;

/** What every function's environment carries for Powertools and readable stack traces. */
export function observabilityEnvironment(input: Pick<StageInput, 'service' | 'stage'>): Obj {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName(input),
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // The bundles ship index.mjs.map beside index.mjs (scripts/bundle.ts).
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/**
 * The vpcSubnetIds / vpcSecurityGroupIds params (comma-separated): both empty (no VPC) or both set. Throws naming
 * the param and the fix.
 */
export function vpcSettings(subnets: string, securityGroups: string): VpcSettings | undefined {
  const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
  const subnetIds = list(subnets);
  const securityGroupIds = list(securityGroups);
  if (!subnetIds.length && !securityGroupIds.length) return undefined;
  const problems: string[] = [];
  if (!subnetIds.length) problems.push('vpcSubnetIds is empty: give the private subnets (subnet-…) the Kubernetes-facing functions run in');
  if (!securityGroupIds.length) problems.push('vpcSecurityGroupIds is empty: give security groups (sg-…) that may reach the cluster endpoint and AWS APIs');
  for (const id of subnetIds) if (!/^subnet-[0-9a-f]+$/.test(id)) problems.push(`vpcSubnetIds: "${id}" is not a subnet id (subnet-…)`);
  for (const id of securityGroupIds) if (!/^sg-[0-9a-f]+$/.test(id)) problems.push(`vpcSecurityGroupIds: "${id}" is not a security group id (sg-…)`);
  if (problems.length) throw new Error(`invalid VPC params:\n  - ${problems.join('\n  - ')}`);
  return { subnetIds, securityGroupIds };
}

/** Lambda creates the function's network interfaces with its role; these EC2 actions take no resource-level scoping. */
export const VPC_ACCESS_STATEMENT: Statement = {
  Sid: 'LambdaVpcNetworkInterfacesNoResourceLevelPermissions',
  Effect: 'Allow',
  Action: [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ],
  Resource: '*',
};

/**
 * The relay's heartbeats go to start-workflow, which only counts them (late ones are worthless, so few retries), and
 * an alarm per stage, plus one per cluster in clusterNames, fires when they stop: missing data counts as breaching.
 */
export function heartbeatResources(input: StageInput, startWorkflowLambdaId: string): Obj {
  const silentAlarm = (name: string, description: string, dimensions: Obj[]): Obj => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: name,
      AlarmDescription: description,
      Namespace: METRICS_NAMESPACE,
      MetricName: 'RelayHeartbeats',
      Dimensions: dimensions as Json[],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: HEARTBEAT_MISSING_PERIODS,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], ref('AWS::NoValue')] },
      OKActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], ref('AWS::NoValue')] },
    },
  });
  const service = { Name: 'service', Value: serviceName(input) };
  const perCluster: Obj = {};
  for (const cluster of input.clusterNames) {
    perCluster[`RelaySilentAlarm${logicalIdPart(cluster)}`] = silentAlarm(
      `${serviceName(input)}-relay-silent-${cluster}`,
      `No heartbeat from the relay in cluster ${cluster} for ${HEARTBEAT_MISSING_PERIODS * 5} minutes: its InstanceGroup changes are not reaching AWS. Check its pods, credentials and network (docs/operations/troubleshooting.md).`,
      [service, { Name: 'cluster', Value: cluster }],
    );
  }
  return {
    RelaySilentAlarm: silentAlarm(
      `${serviceName(input)}-relay-silent`,
      `No relay heartbeat from any cluster for ${HEARTBEAT_MISSING_PERIODS * 5} minutes: InstanceGroup changes are not reaching AWS. Check the relay's pods, credentials and network.`,
      [service],
    ),
    ...perCluster,
    [HEARTBEAT_RULE]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `${input.service}-${input.stage}-relay-heartbeat`,
        Description: "The in-cluster relays' heartbeats → start-workflow (metric RelayHeartbeats; alarm when they stop)",
        EventBusName: ref('EventBus'),
        EventPattern: heartbeatPattern() as unknown as Obj,
        State: 'ENABLED',
        Targets: [
          {
            Id: 'start-workflow',
            Arn: getAtt(startWorkflowLambdaId, 'Arn'),
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
          },
        ],
      },
    },
    [`${HEARTBEAT_RULE}InvokePermission`]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: ref(startWorkflowLambdaId),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(HEARTBEAT_RULE, 'Arn'),
      },
    },
  };
}
