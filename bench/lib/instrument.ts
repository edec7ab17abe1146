// Times every AWS SDK call made in this process: the relay's PutEvents, the dispatcher's SQS calls, start-workflow's
// StartExecution and every call the Lambda handlers make to moto. It is an SDK middleware (initialize step, so it
// spans serialisation, signing, retries and the HTTP round trip), installed on each client the first time it
// sends. All SDK v3 clients share one smithy `Client` base class; patching its `send` reaches clients that are
// created later inside the handlers, without touching their code.
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EC2Client } from '@aws-sdk/client-ec2';

/** Epoch milliseconds with sub-millisecond resolution (performance.now() on the epoch). */
export const now = (): number => performance.timeOrigin + performance.now();

export interface SdkCall {
  /** e.g. CloudFormationClient */
  client: string;
  /** e.g. DescribeStacksCommand */
  command: string;
  start: number;
  end: number;
  ok: boolean;
  errorName?: string;
  /** HTTP attempts the SDK made (more than 1: it retried, e.g. after a timeout or a 5xx). */
  attempts?: number;
  /** Messages a ReceiveMessage returned, entries a PutEvents carried. */
  count?: number;
  /** The resource status a Describe returned (StackStatus, node group or Fargate profile status). */
  status?: string;
  /** PutEvents: the entries by the change's `reason` (created, updated, deleted, resync). */
  reasons?: Record<string, number>;
}

function reasonsOf(input: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of (input as { Entries?: { Detail?: string }[] })?.Entries ?? []) {
    let reason = 'unknown';
    try {
      reason = String((JSON.parse(entry.Detail ?? '{}') as { reason?: string }).reason ?? 'unknown');
    } catch {
      // not JSON: counted as unknown
    }
    out[reason] = (out[reason] ?? 0) + 1;
  }
  return out;
}

interface MiddlewareStack {
  add(middleware: unknown, options: { step: string; name: string; priority?: string }): void;
}
interface ClientLike {
  middlewareStack: MiddlewareStack;
  send: (...args: unknown[]) => unknown;
}

const INSTALLED = Symbol.for('instance-manager.bench.timing');

function statusOf(output: unknown): string | undefined {
  const o = (output ?? {}) as {
    Stacks?: { StackStatus?: string }[];
    nodegroup?: { status?: string };
    fargateProfile?: { status?: string };
  };
  return o.Stacks?.[0]?.StackStatus ?? o.nodegroup?.status ?? o.fargateProfile?.status;
}

function countOf(command: string, input: unknown, output: unknown): number | undefined {
  if (command === 'PutEventsCommand') return ((input as { Entries?: unknown[] })?.Entries ?? []).length;
  if (command === 'ReceiveMessageCommand') return ((output as { Messages?: unknown[] })?.Messages ?? []).length;
  return undefined;
}

export class SdkRecorder {
  readonly calls: SdkCall[] = [];
  private restore?: () => void;

  /** Patches the shared client base class. Throws when the SDK clients do not share it (the method relies on it). */
  install(): void {
    if (this.restore) return;
    const base = Object.getPrototypeOf(SFNClient.prototype) as ClientLike;
    for (const C of [CloudFormationClient, EKSClient, EventBridgeClient, IAMClient, SQSClient, EC2Client]) {
      if (Object.getPrototypeOf(C.prototype) !== base) {
        throw new Error(`${C.name} does not extend the same smithy Client as SFNClient: more than one @smithy/core is loaded`);
      }
    }
    const original = base.send;
    const calls = this.calls;
    const middleware =
      (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input: unknown }) => {
        const call: SdkCall = { client: context.clientName ?? '?', command: context.commandName ?? '?', start: now(), end: 0, ok: false };
        try {
          const result = await next(args);
          call.ok = true;
          const attempts = (result.output as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
          if (attempts) call.attempts = attempts;
          const status = statusOf(result.output);
          if (status) call.status = status;
          const count = countOf(call.command, args.input, result.output);
          if (count !== undefined) call.count = count;
          if (call.command === 'PutEventsCommand') call.reasons = reasonsOf(args.input);
          return result;
        } catch (error) {
          call.errorName = (error as Error)?.name ?? 'Error';
          const attempts = (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
          if (attempts) call.attempts = attempts;
          throw error;
        } finally {
          call.end = now();
          calls.push(call);
        }
      };
    base.send = function (this: ClientLike & { [INSTALLED]?: boolean }, ...args: unknown[]) {
      if (!this[INSTALLED]) {
        this[INSTALLED] = true;
        this.middlewareStack.add(middleware, { step: 'initialize', name: 'instanceManagerBenchTiming', priority: 'high' });
      }
      return original.apply(this, args);
    };
    this.restore = () => {
      base.send = original;
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** Calls that ended inside [from, to]. */
  between(from: number, to: number): SdkCall[] {
    return this.calls.filter((c) => c.end >= from && c.start <= to);
  }
}
