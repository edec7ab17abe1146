// Watches an EventBridge bus (moto locally) the way a test can: a rule matching the relay's events, with an SQS
// queue as its target, drained continuously in the background.
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DETAIL_TYPE, EVENT_SOURCE, type InstanceGroupChange } from '../../../core/events/index.js';

export interface ObservedEvent {
  source: string;
  'detail-type': string;
  detail: InstanceGroupChange;
  receivedAt: number;
}

export interface BusObserver {
  busName: string;
  /** Everything received so far, in arrival order. */
  readonly events: ObservedEvent[];
  /** Waits until `predicate` holds for the events received, or throws with what was seen. */
  waitFor(predicate: (events: ObservedEvent[]) => boolean, timeoutMs: number, what?: string): Promise<ObservedEvent[]>;
  /** Calls fn for every event as it arrives. */
  subscribe(fn: (event: ObservedEvent) => void): () => void;
  stop(): Promise<void>;
}

export async function observeBus(options: { endpoint: string; region: string; busName: string; queueName?: string }): Promise<BusObserver> {
  const aws = { region: options.region, endpoint: options.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const eventBridge = new EventBridgeClient(aws);
  const sqs = new SQSClient(aws);
  const queueName = options.queueName ?? `${options.busName}-observer`;
  await eventBridge.send(new CreateEventBusCommand({ Name: options.busName }));
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await eventBridge.send(
    new PutRuleCommand({
      Name: `${queueName}-rule`,
      EventBusName: options.busName,
      EventPattern: JSON.stringify({ source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPE] }),
    }),
  );
  await eventBridge.send(
    new PutTargetsCommand({
      Rule: `${queueName}-rule`,
      EventBusName: options.busName,
      Targets: [{ Id: 'observer', Arn: attributes.Attributes!.QueueArn! }],
    }),
  );

  const events: ObservedEvent[] = [];
  const subscribers = new Set<(e: ObservedEvent) => void>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        // Short polls: moto holds the queue while a long poll waits, which would stall PutEvents delivering to it.
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        const messages = out.Messages ?? [];
        for (const m of messages) {
          const body = JSON.parse(m.Body!) as Omit<ObservedEvent, 'receivedAt'>;
          const event = { ...body, receivedAt: Date.now() };
          events.push(event);
          for (const fn of subscribers) fn(event);
        }
        if (!messages.length) await new Promise((r) => setTimeout(r, 50));
        else {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch (error) {
        if (!stopped) await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();

  return {
    busName: options.busName,
    events,
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async waitFor(predicate, timeoutMs, what = 'the expected events') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) {
          const seen = events.map((e) => `${e.detail.group.namespace}/${e.detail.group.name} g${e.detail.group.generation} ${e.detail.operation} a${e.detail.attempt}`);
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${events.length}:\n${seen.slice(-40).join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return events;
    },
    async stop() {
      stopped = true;
      await loop;
      eventBridge.destroy();
      sqs.destroy();
    },
  };
}
