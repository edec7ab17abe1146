// What a deployment is, read from its CloudFormation stack (serverless.yml deploys `instance-manager-<stage>`): one
// `<Provisioner><Operation>StateMachineArn` output per workflow (core/workflows/names.ts) and the
// EventBridge archive (`EventArchiveName`).
import { DescribeStacksCommand, type DescribeStacksOutput } from '@aws-sdk/client-cloudformation';
import { PROVISIONERS } from '../core/schema/openapi.js';
import { OPERATIONS, stateMachineOutputName, workflowKey } from '../core/workflows/names.js';
import type { Sender } from './clients.js';
import { CliError } from './errors.js';

export const SERVICE_NAME = 'instance-manager';
export const stackNameOf = (stage: string) => `${SERVICE_NAME}-${stage}`;


export interface Deployment {
  stackName: string;
  /** "<provisioner>/<operation>" → state machine ARN. */
  workflows: Map<string, string>;
  archiveName?: string;
  eventBusName?: string;
}

export async function readDeployment(cloudformation: Sender, stage: string, region: string | undefined): Promise<Deployment> {
  const stackName = stackNameOf(stage);
  let out: DescribeStacksOutput;
  try {
    out = (await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))) as DescribeStacksOutput;
  } catch (error) {
    if (/does not exist/.test(String((error as Error).message))) {
      throw new CliError(
        `no stack ${stackName}${region ? ` in ${region}` : ''}: --stage ${stage} names no deployment there`,
        'check --stage and --region (aws cloudformation list-stacks shows the deployed stacks)',
      );
    }
    throw error;
  }
  const outputs = new Map((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const workflows = new Map<string, string>();
  for (const provisioner of PROVISIONERS) {
    for (const operation of OPERATIONS) {
      const arn = outputs.get(stateMachineOutputName(provisioner, operation));
      if (arn) workflows.set(workflowKey(provisioner, operation), arn);
    }
  }
  if (!workflows.size) {
    throw new CliError(`stack ${stackName} has no state machine outputs (<Provisioner><Operation>StateMachineArn)`, 'deploy it with serverless.yml, or drop --stage to discover the state machines by name');
  }
  const archiveName = outputs.get('EventArchiveName');
  const eventBusName = outputs.get('EventBusName');
  return { stackName, workflows, ...(archiveName ? { archiveName } : {}), ...(eventBusName ? { eventBusName } : {}) };
}
