// `.waitForTaskToken` for the local runtime. A Task whose Resource ends in `.waitForTaskToken` gets a fresh token
// where its Parameters read `$$.Task.Token`, its function is invoked with that token, and the state then waits
// until SendTaskSuccess / SendTaskFailure names the token, or its HeartbeatSeconds / TimeoutSeconds run out —
// the contract AWS documents for the callback pattern.
//
// aws-local-stepfunctions has no `$$.Task` in its context object, so the run definition carries a sentinel
// string in place of every `"X.$": "$$.Task.Token"`; the Task's local handler swaps it for the token it mints.
import { randomBytes } from 'node:crypto';
import { listStates, type AslDefinition, type AslState } from './definition.js';
import { sfnError } from './errors.js';

export const TOKEN_SENTINEL = '__local_stepfunctions_task_token__';
export const WAIT_FOR_TASK_TOKEN = /\.waitForTaskToken$/;
/** setTimeout's ceiling (about 24.8 days); AWS's default Task timeout (99999999 s) is longer. */
const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);
const FINISHED_KEPT = 10_000;

export const isTokenTask = (state: AslState): boolean => state.Type === 'Task' && WAIT_FOR_TASK_TOKEN.test(String(state.Resource ?? ''));

function replaceTokenPaths(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceTokenPaths);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) =>
      key.endsWith('.$') && v === '$$.Task.Token' ? [key.slice(0, -2), TOKEN_SENTINEL] : [key, replaceTokenPaths(v)],
    ),
  );
}

/**
 * The definition the library runs: token paths become the sentinel; a token Task without TimeoutSeconds gets
 * the longest timer Node allows (the library would otherwise stop it after 60 s); `timeoutFactor` scales
 * TimeoutSeconds so tests can run fallbacks fast; catchers of States.Timeout also catch heartbeat timeouts.
 */
export function withTaskTokens(def: AslDefinition, timeoutFactor = 1): AslDefinition {
  const copy = JSON.parse(JSON.stringify(def)) as AslDefinition;
  for (const { state } of listStates(copy)) {
    if (!isTokenTask(state)) continue;
    if (state.Parameters !== undefined) state.Parameters = replaceTokenPaths(state.Parameters);
    const timeout = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds * timeoutFactor : MAX_TIMER_SECONDS;
    state.TimeoutSeconds = Math.min(timeout, MAX_TIMER_SECONDS);
    for (const rule of [...(state.Retry ?? []), ...(state.Catch ?? [])]) {
      if (rule.ErrorEquals.includes('States.Timeout') && !rule.ErrorEquals.includes('States.HeartbeatTimeout')) {
        rule.ErrorEquals.push('States.HeartbeatTimeout');
      }
    }
  }
  return copy;
}

/** A copy of `value` with every sentinel string replaced by the token. */
export function insertToken(value: unknown, token: string): unknown {
  if (value === TOKEN_SENTINEL) return token;
  if (Array.isArray(value)) return value.map((v) => insertToken(v, token));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, insertToken(v, token)]));
  return value;
}

export class TaskTokenFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface PendingTask {
  executionArn: string;
  stateName: string;
  heartbeatMs?: number;
  timeoutMs: number;
  heartbeatTimer?: NodeJS.Timeout;
  timeoutTimer: NodeJS.Timeout;
  resolve(output: unknown): void;
  reject(error: TaskTokenFailure): void;
}

export interface TokenWait {
  token: string;
  /** Settles with SendTaskSuccess's output, or rejects with SendTaskFailure's error / a timeout. */
  result: Promise<unknown>;
}

/** Outstanding task tokens of every execution of one runtime. */
export class TaskTokens {
  private readonly pending = new Map<string, PendingTask>();
  /** Tokens no longer outstanding, and why: what Send* answers for them. */
  private readonly finished = new Map<string, 'timed-out' | 'done'>();

  /**
   * Mints a token for one Task attempt. Heartbeat and timeout are in milliseconds (already scaled); both start
   * now, as AWS starts them when the Task is scheduled.
   */
  open(executionArn: string, stateName: string, limits: { heartbeatMs?: number; timeoutMs: number }): TokenWait {
    const token = randomBytes(96).toString('base64');
    let entry!: PendingTask;
    const result = new Promise<unknown>((resolve, reject) => {
      entry = {
        executionArn,
        stateName,
        heartbeatMs: limits.heartbeatMs,
        timeoutMs: limits.timeoutMs,
        resolve,
        reject,
        timeoutTimer: setTimeout(
          () => this.finish(token, 'timed-out', new TaskTokenFailure('States.Timeout', `Task '${stateName}' received no SendTaskSuccess or SendTaskFailure within its TimeoutSeconds`)),
          limits.timeoutMs,
        ),
      };
    });
    // When the execution ended first (closeExecution), nobody awaits the token any more; its rejection must not
    // surface as an unhandled one. A caller that still awaits `result` gets the rejection as before.
    result.catch(() => undefined);
    this.pending.set(token, entry);
    this.armHeartbeat(token, entry);
    return { token, result };
  }

  private armHeartbeat(token: string, entry: PendingTask): void {
    if (entry.heartbeatMs === undefined) return;
    clearTimeout(entry.heartbeatTimer);
    entry.heartbeatTimer = setTimeout(
      () => this.finish(token, 'timed-out', new TaskTokenFailure('States.HeartbeatTimeout', `Task '${entry.stateName}' sent no heartbeat within its HeartbeatSeconds`)),
      entry.heartbeatMs,
    );
  }

  private finish(token: string, why: 'timed-out' | 'done', failure?: TaskTokenFailure, output?: unknown): void {
    const entry = this.pending.get(token);
    if (!entry) return;
    clearTimeout(entry.timeoutTimer);
    clearTimeout(entry.heartbeatTimer);
    this.pending.delete(token);
    this.finished.set(token, why);
    if (this.finished.size > FINISHED_KEPT) this.finished.delete(this.finished.keys().next().value!);
    if (failure) entry.reject(failure);
    else entry.resolve(output);
  }

  private outstanding(token: unknown): string {
    if (typeof token !== 'string' || !token) {
      throw sfnError('ValidationException', "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null");
    }
    if (this.pending.has(token)) return token;
    const why = this.finished.get(token);
    if (why === 'timed-out') throw sfnError('TaskTimedOut', 'Task Timed Out: the task this token belongs to has timed out');
    if (why === 'done') throw sfnError('TaskDoesNotExist', 'Task Does Not Exist: the task this token belongs to has already completed');
    throw sfnError('InvalidToken', `Invalid Token: '${token.slice(0, 32)}…' was not issued by this runtime`);
  }

  succeed(token: unknown, output: unknown): void {
    const t = this.outstanding(token);
    if (typeof output !== 'string') throw sfnError('InvalidOutput', 'Invalid Output: output is required and must be a JSON string');
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch (error) {
      throw sfnError('InvalidOutput', `Invalid Output: '${(error as Error).message}'`);
    }
    this.finish(t, 'done', undefined, value);
  }

  fail(token: unknown, error: unknown, cause: unknown): void {
    const t = this.outstanding(token);
    // Both fields are optional in AWS; an omitted error leaves Error empty (matched by States.ALL).
    this.finish(t, 'done', new TaskTokenFailure(typeof error === 'string' ? error : '', typeof cause === 'string' ? cause : ''));
  }

  heartbeat(token: unknown): void {
    const t = this.outstanding(token);
    this.armHeartbeat(t, this.pending.get(t)!);
  }

  /** Closes every token of an execution attempt that ended (stopped, timed out, failed elsewhere). */
  closeExecution(executionArn: string): void {
    for (const [token, entry] of this.pending) {
      if (entry.executionArn !== executionArn) continue;
      this.finish(token, 'done', new TaskTokenFailure('States.Runtime', 'the execution ended'));
    }
  }

  /** Open tokens, for tests and tools. */
  list(executionArn?: string): { token: string; executionArn: string; stateName: string }[] {
    return [...this.pending]
      .filter(([, e]) => !executionArn || e.executionArn === executionArn)
      .map(([token, e]) => ({ token, executionArn: e.executionArn, stateName: e.stateName }));
  }
}
