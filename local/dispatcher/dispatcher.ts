// The local stand-in for "EventBridge rule → start-workflow Lambda": long-polls the queue the rules target and
// hands each message's EventBridge event to the start-workflow code. A message is deleted once handled; on
// failure it is left on the queue and becomes visible again after `retryDelaySeconds`, like a Lambda retry.
// After `maxReceiveCount` receives it is dropped and logged, as a DLQ redrive policy would move it.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createLogger, type Logger } from '../../core/log/index.js';
import { startWorkflow, type InstanceGroupEvent, type StartWorkflowDeps } from '../../functions/start-workflow/start.js';

export interface DispatcherOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** The start-workflow dependencies: an SFN client (pointed at the local runtime) and the state machine ARNs. */
  startWorkflow?: Omit<StartWorkflowDeps, 'logger'> & { logger?: Logger };
  /** Replaces the start-workflow call (tests, other targets). */
  handle?: (event: InstanceGroupEvent) => Promise<unknown>;
  /** Events of these detail-types go to their own target instead (in AWS, the Lambda their rule invokes). */
  targets?: Record<string, (event: unknown) => Promise<unknown>>;
  /** Long-poll wait per receive (default 1 s: short, so stop() is quick even if an abort is not honoured). */
  waitTimeSeconds?: number;
  maxMessages?: number;
  /** How long a failed message stays invisible before it is delivered again (default 1 s). */
  retryDelaySeconds?: number;
  /** Receives after which a failing message is dropped (default 10). */
  maxReceiveCount?: number;
  logger?: Logger;
}

export interface DispatcherStats {
  received: number;
  handled: number;
  failed: number;
  dropped: number;
}

export interface Dispatcher {
  readonly stats: Readonly<DispatcherStats>;
  /** Resolves once a receive that started after this call found the queue empty with nothing in flight. */
  drained(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops polling, waits for messages in flight, and resolves; idempotent. */
  stop(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const log = options.logger ?? createLogger({ component: 'local-dispatcher' });
  const deps = options.startWorkflow;
  const handle =
    options.handle ??
    (deps
      ? (event: InstanceGroupEvent) => startWorkflow(event, { ...deps, logger: deps.logger ?? log })
      : undefined);
  if (!handle) throw new Error('startDispatcher needs `startWorkflow` deps or a `handle` function');
  const { sqs, queueUrl } = options;
  const stats: DispatcherStats = { received: 0, handled: 0, failed: 0, dropped: 0 };
  const abort = new AbortController();
  let cycle = 0;
  const waiters: { after: number; resolve: () => void }[] = [];

  const processMessage = async (message: Message) => {
    stats.received += 1;
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    try {
      const event = JSON.parse(message.Body ?? '') as InstanceGroupEvent;
      const target = options.targets?.[(event as { 'detail-type'?: string })['detail-type'] ?? ''];
      await (target ? target(event) : handle(event));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      stats.handled += 1;
    } catch (error) {
      stats.failed += 1;
      const maxReceives = options.maxReceiveCount ?? 10;
      if (receiveCount >= maxReceives) {
        stats.dropped += 1;
        log.error('dropping a message that kept failing', { messageId: message.MessageId, receiveCount, error });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle })).catch(() => {});
        return;
      }
      log.warn('message failed; it will be delivered again', { messageId: message.MessageId, receiveCount, error });
      await sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: options.retryDelaySeconds ?? 1 }))
        .catch(() => {});
    }
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      const thisCycle = ++cycle;
      let messages: Message[] = [];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: options.maxMessages ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (abort.signal.aborted) break;
        log.warn('receive failed; retrying', { error });
        await sleep(500, abort.signal);
        continue;
      }
      await Promise.all(messages.map(processMessage));
      if (messages.length === 0) {
        for (const w of waiters.filter((w) => thisCycle > w.after)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    stats,
    drained({ timeoutMs = 30_000 } = {}) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`queue not drained within ${timeoutMs} ms (stats ${JSON.stringify(stats)})`));
        }, timeoutMs);
        const waiter = { after: cycle, resolve: () => (clearTimeout(timer), resolve()) };
        waiters.push(waiter);
      });
    },
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await loop;
        log.info('dispatcher stopped', { ...stats });
      })();
      return stopping;
    },
  };
}
