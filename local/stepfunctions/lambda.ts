// Task states bound in-process to handler functions, invoked the way Lambda invokes them: a JSON copy of the
// input, a Lambda context object, a JSON copy of the result, and on failure an error whose name is the
// errorType and whose message is Lambda's error payload ({"errorType","errorMessage","trace"}) — which is what
// Step Functions reports as Error and Cause, and what Retry/Catch match.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context as AwsLambdaContext } from 'aws-lambda';
import { lambdaFunctionArn, parseLambdaArn, type Account } from './arn.js';
import { listStates, placeholderForFunction, type AslDefinition } from './definition.js';
import { sfnError } from './errors.js';
import { insertToken, WAIT_FOR_TASK_TOKEN, type TaskTokenFailure, type TaskTokens } from './task-tokens.js';

export type LambdaContext = AwsLambdaContext;
export type LambdaHandler = (event: any, context: LambdaContext) => unknown;

/** Handlers keyed by Task state name. */
export type TaskHandlers = Record<string, LambdaHandler>;
/** Handlers keyed by function name (`instance-manager-validate`) or by placeholder (`ValidateFunctionArn`). */
export type FunctionHandlers = Record<string, LambdaHandler>;

export type TaskKind = 'lambda' | 'lambda-invoke' | 'other';

export interface TaskBinding {
  stateName: string;
  kind: TaskKind;
  resource: string;
  /** Static function name, when the Resource (or Parameters.FunctionName) names one. */
  functionName?: string;
  timeoutSeconds?: number;
  handler?: LambdaHandler;
  /** `.waitForTaskToken`: after the call, the state waits for SendTaskSuccess/SendTaskFailure. */
  waitForToken?: { heartbeatSeconds?: number };
}

export interface BindingOptions extends Account {
  handlers?: TaskHandlers;
  functions?: FunctionHandlers;
  functionNamePrefix?: string;
  /** 'error' (default): creating a machine with an unbound Lambda Task fails, naming the states. 'fail': the
   *  Task fails at run time with Lambda.ResourceNotFoundException, as a missing function does in AWS. */
  unboundTasks?: 'error' | 'fail';
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

function lookupFunction(name: string | undefined, options: BindingOptions): LambdaHandler | undefined {
  if (!name || !options.functions) return undefined;
  const placeholder = placeholderForFunction(name, options.functionNamePrefix);
  return options.functions[name] ?? (placeholder ? options.functions[placeholder] : undefined);
}

function functionNameOf(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  return parseLambdaArn(ref)?.functionName ?? (/^[\w-]+$/.test(ref) ? ref : undefined);
}

/** Binds every Task state of the definition (nested ones included) and rejects what cannot run locally. */
export function bindTasks(def: AslDefinition, options: BindingOptions): Map<string, TaskBinding> {
  const bindings = new Map<string, TaskBinding>();
  const unsupported: string[] = [];
  const unbound: string[] = [];
  for (const { name, state } of listStates(def)) {
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource ?? '');
    const byState = options.handlers?.[name];
    let binding: TaskBinding;
    const waitForToken = WAIT_FOR_TASK_TOKEN.test(resource)
      ? { heartbeatSeconds: typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined }
      : undefined;
    if (/\.sync(:2)?$/.test(resource)) {
      unsupported.push(`${name} (${resource}: .sync cannot run locally)`);
      continue;
    } else if (waitForToken && resource === `${LAMBDA_INVOKE}.waitForTaskToken`) {
      const params = (state.Parameters ?? {}) as Record<string, unknown>;
      const functionName = functionNameOf(params.FunctionName);
      binding = { stateName: name, kind: 'lambda-invoke', resource, functionName, handler: byState ?? lookupFunction(functionName, options), waitForToken };
    } else if (waitForToken && byState) {
      binding = { stateName: name, kind: 'other', resource, handler: byState, waitForToken };
    } else if (waitForToken) {
      unsupported.push(`${name} (${resource}: bind it by state name to run it locally)`);
      continue;
    } else if (parseLambdaArn(resource)) {
      const functionName = parseLambdaArn(resource)!.functionName;
      binding = { stateName: name, kind: 'lambda', resource, functionName, handler: byState ?? lookupFunction(functionName, options) };
    } else if (resource === LAMBDA_INVOKE) {
      const params = (state.Parameters ?? {}) as Record<string, unknown>;
      const functionName = functionNameOf(params.FunctionName);
      // A dynamic FunctionName ("FunctionName.$") leaves functionName unset: it is resolved per invocation.
      binding = { stateName: name, kind: 'lambda-invoke', resource, functionName, handler: byState ?? lookupFunction(functionName, options) };
    } else if (byState) {
      binding = { stateName: name, kind: 'other', resource, handler: byState };
    } else {
      unsupported.push(`${name} (${resource}: bind it by state name to run it locally)`);
      continue;
    }
    if (typeof state.TimeoutSeconds === 'number') binding.timeoutSeconds = state.TimeoutSeconds;
    const dynamic = binding.kind === 'lambda-invoke' && !binding.functionName;
    if (!binding.handler && !dynamic) unbound.push(`${name} (${binding.functionName ?? resource})`);
    bindings.set(name, binding);
  }
  if (unsupported.length) throw sfnError('InvalidDefinition', `Task states the local runtime cannot run: ${unsupported.join('; ')}`);
  if (unbound.length && (options.unboundTasks ?? 'error') === 'error') {
    throw sfnError('InvalidDefinition', `Task states without a local handler: ${unbound.join(', ')}`);
  }
  return bindings;
}

// ---------------------------------------------------------------------------------------------------------------
// Invocation

export interface Invocation {
  stateName: string;
  kind: TaskKind;
  resource: string;
  functionName?: string;
  /** What the function received (the Task's effective input; for lambda:invoke, its Payload). */
  input: unknown;
  startedAt: number;
  endedAt?: number;
  output?: unknown;
  error?: { error: string; cause: string };
  timeoutSeconds: number;
}

/** Invocations of one run, per Task state, in call order: the history pairs them with the state's events. */
export class InvocationJournal {
  private readonly pending = new Map<string, Invocation[]>();

  begin(inv: Invocation): Invocation {
    const list = this.pending.get(inv.stateName) ?? [];
    list.push(inv);
    this.pending.set(inv.stateName, list);
    return inv;
  }

  take(stateName: string): Invocation | undefined {
    return this.pending.get(stateName)?.shift();
  }
}

/** What Lambda reports for a thrown error. Step Functions puts `errorType` in Error and the JSON in Cause. */
export function lambdaErrorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').filter(Boolean),
    };
  }
  return { errorType: typeof error === 'string' ? 'string' : 'Error', errorMessage: String(error), trace: [] };
}

/** Thrown into the library: `name` is what Retry/Catch match; the message becomes Cause. */
export class TaskFailure extends Error {
  constructor(name: string, cause: string, private readonly terminal = false) {
    super(cause);
    this.name = name;
  }
  // Read by aws-local-stepfunctions: States.DataLimitExceeded and States.Runtime are neither retried nor caught.
  get isRetryable(): boolean {
    return !this.terminal;
  }
  get isCatchable(): boolean {
    return !this.terminal;
  }
}

const MAX_PAYLOAD_BYTES = 256 * 1024;
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

export function lambdaContext(account: Account, functionName: string, timeoutMs: number): LambdaContext {
  const deadline = Date.now() + timeoutMs;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = () => {
    throw new Error('context.done/succeed/fail are not supported: return or throw from an async handler');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: lambdaFunctionArn(account, functionName),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

const jsonCopy = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/**
 * The `taskResourceLocalHandlers` for one run: each call is journaled, invoked like Lambda, and its error
 * reshaped like Lambda's.
 */
export interface TokenScope {
  tokens: TaskTokens;
  executionArn: string;
  /** Scales HeartbeatSeconds (TimeoutSeconds is scaled in the run definition). */
  timeoutFactor: number;
}

export function localTaskHandlers(
  bindings: Map<string, TaskBinding>,
  journal: InvocationJournal,
  options: BindingOptions,
  scope?: TokenScope,
): Record<string, (input: unknown) => Promise<unknown>> {
  const out: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const binding of bindings.values()) {
    out[binding.stateName] = async (rawInput: unknown) => {
      const wait = binding.waitForToken && scope
        ? scope.tokens.open(scope.executionArn, binding.stateName, {
            heartbeatMs: binding.waitForToken.heartbeatSeconds === undefined ? undefined : binding.waitForToken.heartbeatSeconds * 1000 * scope.timeoutFactor,
            timeoutMs: Math.min(0x7fffffff, binding.timeoutSeconds === undefined ? 0x7fffffff : binding.timeoutSeconds * 1000 * scope.timeoutFactor),
          })
        : undefined;
      const input = wait ? insertToken(rawInput, wait.token) : rawInput;
      const isInvoke = binding.kind === 'lambda-invoke';
      const params = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      const functionName = binding.functionName ?? (isInvoke ? functionNameOf(params.FunctionName) : undefined) ?? binding.stateName;
      const handler = binding.handler ?? (isInvoke ? lookupFunction(functionName, options) : undefined);
      const timeoutSeconds = binding.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
      const event = isInvoke ? params.Payload : input;
      const inv = journal.begin({
        stateName: binding.stateName,
        kind: binding.kind,
        resource: binding.resource,
        functionName,
        input: isInvoke ? input : event,
        startedAt: Date.now(),
        timeoutSeconds,
      });
      const fail = (name: string, cause: string, terminal = false): never => {
        inv.endedAt = Date.now();
        inv.error = { error: name, cause };
        throw new TaskFailure(name, cause, terminal);
      };
      if (!handler) {
        fail(
          'Lambda.ResourceNotFoundException',
          `Function not found: ${lambdaFunctionArn(options, functionName)} (no local handler is bound to it)`,
        );
      }
      let result: unknown;
      try {
        result = jsonCopy(await handler!(jsonCopy(event), lambdaContext(options, functionName, timeoutSeconds * 1000)));
      } catch (error) {
        const payload = lambdaErrorPayload(error);
        fail(payload.errorType, JSON.stringify(payload));
      }
      if (Buffer.byteLength(JSON.stringify(result)) > MAX_PAYLOAD_BYTES) {
        fail('States.DataLimitExceeded', `The state/task '${binding.stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`, true);
      }
      if (wait) {
        try {
          const output = await wait.result;
          inv.endedAt = Date.now();
          inv.output = output;
          return output;
        } catch (error) {
          const f = error as TaskTokenFailure;
          fail(f.name, f.message);
        }
      }
      const returned = isInvoke
        ? {
            ExecutedVersion: '$LATEST',
            Payload: result,
            SdkHttpMetadata: { HttpStatusCode: 200 },
            SdkResponseMetadata: { RequestId: randomUUID() },
            StatusCode: 200,
          }
        : result;
      inv.endedAt = Date.now();
      inv.output = returned;
      return returned;
    };
  }
  return out;
}
