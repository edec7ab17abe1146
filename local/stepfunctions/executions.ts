// The executions of the local service: their records, the attempt (first run or redrive) each one is running, and
// the change notifications that the waits for tests and the execution-status events hang on.
import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log/index.js';
import { required } from './api-input.js';
import { parseExecutionArn } from './arn.js';
import { sfnError } from './errors.js';
import type { ExecutionRecord } from './history.js';
import { startAttempt, type AttemptOptions, type MachineForRun, type RunningAttempt } from './runner.js';

export class Executions {
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly attempts = new Map<string, RunningAttempt>();
  private readonly changes = new EventEmitter();

  constructor(private readonly log: Logger) {
    this.changes.setMaxListeners(0);
  }

  /** The execution, or ExecutionDoesNotExist (ValidationException without an ARN, InvalidArn for a malformed one). */
  get(arn: string | undefined): ExecutionRecord {
    parseExecutionArn(required(arn, 'executionArn'));
    const e = this.records.get(arn!);
    if (!e) throw sfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  /** The record if there is one; no validation. */
  find(arn: string): ExecutionRecord | undefined {
    return this.records.get(arn);
  }

  all(): ExecutionRecord[] {
    return [...this.records.values()];
  }

  add(record: ExecutionRecord): void {
    this.records.set(record.executionArn, record);
  }

  /** The attempt an execution is running, if any. */
  runningAttempt(arn: string): RunningAttempt | undefined {
    return this.attempts.get(arn);
  }

  /** Starts an attempt; a runtime error (not an ASL failure) ends the execution FAILED with States.Runtime. */
  run(record: ExecutionRecord, machine: MachineForRun, attempt: AttemptOptions): void {
    const running = startAttempt(record, machine, attempt);
    this.attempts.set(record.executionArn, running);
    this.changes.emit('change', record);
    void running.done
      .catch((error: unknown) => {
        record.status = 'FAILED';
        record.error = 'States.Runtime';
        record.cause = `local runtime error: ${(error as Error).message}`;
        record.stopDate = new Date();
      })
      .finally(() => {
        this.attempts.delete(record.executionArn);
        const fields = { executionArn: record.executionArn, status: record.status, error: record.error, cause: record.cause };
        if (record.status === 'SUCCEEDED') this.log.info('execution succeeded', fields);
        else this.log.warn(`execution ${record.status.toLowerCase()}`, { ...fields, stoppedIn: record.stoppedIn?.name });
        this.changes.emit('change', record);
      });
  }

  /** Resolves once the execution has ended (waiting for it to be started if need be). */
  waitForEnd(executionArn: string, timeoutMs: number): Promise<void> {
    return this.waitUntil(
      () => {
        const e = this.records.get(executionArn);
        return !!e && e.status !== 'RUNNING' && !this.attempts.has(executionArn);
      },
      timeoutMs,
      (ms) => {
        const e = this.records.get(executionArn);
        return `execution ${executionArn} did not end within ${ms} ms (${e ? `status ${e.status}` : 'never started'})`;
      },
    );
  }

  /** Resolves once no execution is running. */
  waitForIdle(timeoutMs: number): Promise<void> {
    return this.waitUntil(
      () => this.attempts.size === 0,
      timeoutMs,
      (ms) => `still running after ${ms} ms: ${[...this.attempts.keys()].join(', ')}`,
    );
  }

  /** Called whenever an execution starts, is redriven or ends. Returns an unsubscribe function. */
  onChange(listener: (execution: Readonly<ExecutionRecord>) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  /** Stops every running execution (ABORTED with this error and cause) and waits for them to settle. */
  async abortAll(error: string, cause: string): Promise<void> {
    const running = [...this.attempts.values()];
    for (const a of running) a.stop(error, cause);
    await Promise.allSettled(running.map((a) => a.done));
  }

  /** Resolves when `done()` holds, checked now and after every execution change; rejects after `timeoutMs`. */
  private waitUntil(done: () => boolean, timeoutMs: number, timeoutMessage: (ms: number) => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(timeoutMessage(timeoutMs)));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changes.off('change', check);
      };
      this.changes.on('change', check);
      check();
    });
  }
}
