// The local event bus: the EventBridge bus the relay publishes to, one rule per (provisioner, operation) with
// the contract's event pattern, and an SQS queue as every rule's target. In AWS the rules' target is the
// start-workflow Lambda (functions/start-workflow); moto's EventBridge cannot invoke Lambda or Step Functions,
// so locally the rules deliver to this queue and the dispatcher (dispatcher.ts) calls the same code.
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { eventPattern, type Operation } from '../../core/events/index.js';

export interface Workflow {
  provisioner: string;
  operation: Operation;
}

export interface LocalBusOptions {
  eventBridge: EventBridgeClient;
  sqs: SQSClient;
  busName: string;
  queueName: string;
  /** One rule each. */
  workflows: Workflow[];
  /** Rule names are `<prefix><provisioner>-<operation>` (default `instance-manager-`). */
  rulePrefix?: string;
  /** Rules for other targets (in AWS, other Lambdas), also to the queue: the dispatcher routes by detail-type. */
  eventTargets?: { name: string; pattern: object; description: string }[];
}

export interface LocalBusRule extends Workflow {
  name: string;
  arn: string;
  eventPattern: string;
}

export interface LocalBus {
  busName: string;
  busArn: string;
  queueUrl: string;
  queueArn: string;
  rules: LocalBusRule[];
}

export const QUEUE_TARGET_ID = 'local-dispatch-queue';

/** Creates (or updates: every call is idempotent) the bus, the queue and the rules. */
export async function setUpLocalBus(options: LocalBusOptions): Promise<LocalBus> {
  const { eventBridge, sqs, busName, queueName } = options;
  const prefix = options.rulePrefix ?? 'instance-manager-';
  let busArn: string | undefined;
  if (busName === 'default') {
    busArn = (await eventBridge.send(new DescribeEventBusCommand({ Name: busName }))).Arn;
  } else {
    try {
      busArn = (await eventBridge.send(new CreateEventBusCommand({ Name: busName }))).EventBusArn;
    } catch (error) {
      if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
      busArn = (await eventBridge.send(new DescribeEventBusCommand({ Name: busName }))).Arn;
    }
  }
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = attrs.Attributes?.QueueArn;
  if (!queueUrl || !queueArn || !busArn) throw new Error(`could not set up bus ${busName} and queue ${queueName}`);

  const rules: LocalBusRule[] = [];
  for (const { provisioner, operation } of options.workflows) {
    const name = `${prefix}${provisioner}-${operation}`;
    const pattern = JSON.stringify(eventPattern(provisioner, operation));
    const { RuleArn } = await eventBridge.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: busName,
        EventPattern: pattern,
        State: 'ENABLED',
        Description: `instance-manager ${provisioner} ${operation}: in AWS this rule targets the start-workflow Lambda`,
      }),
    );
    const targets = await eventBridge.send(
      new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: QUEUE_TARGET_ID, Arn: queueArn }] }),
    );
    if (targets.FailedEntryCount) throw new Error(`PutTargets for rule ${name} failed: ${JSON.stringify(targets.FailedEntries)}`);
    rules.push({ provisioner, operation, name, arn: RuleArn ?? name, eventPattern: pattern });
  }
  for (const target of options.eventTargets ?? []) {
    const name = `${prefix}${target.name}`;
    await eventBridge.send(
      new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify(target.pattern), State: 'ENABLED', Description: target.description }),
    );
    const targets = await eventBridge.send(
      new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: QUEUE_TARGET_ID, Arn: queueArn }] }),
    );
    if (targets.FailedEntryCount) throw new Error(`PutTargets for rule ${name} failed: ${JSON.stringify(targets.FailedEntries)}`);
  }
  return { busName, busArn, queueUrl, queueArn, rules };
}
