// A keyed work queue with a fixed number of workers, like client-go's: a key is handled by one worker at a time,
// and changes to a key that arrive while it is queued or being handled collapse into one more pass with the
// latest item. Bursts (start-up, relists) thus cost one pass per object, not one per event. A pass that throws is
// tried again after a delay that grows with the key's failures in a row (core/backoff), when a retry policy is set.
import { backoffDelay, type BackoffPolicy } from '../core/backoff/index.js';

export type Merge<T> = (queued: T, incoming: T) => T;

export interface WorkQueueOptions<T> {
  worker: (key: string, item: T) => Promise<void>;
  concurrency: number;
  /** Folds an item into the one already queued for its key; default: the incoming one wins. */
  merge?: Merge<T>;
  /** Delays between tries of a failing key; without it a failed pass is only reported. */
  retry?: BackoffPolicy;
  /** A pass threw; `retryInMs` is when it runs again (undefined: it does not). */
  onError?: (key: string, item: T, error: unknown, retryInMs: number | undefined) => void;
}

export class WorkQueue<T> {
  private readonly items = new Map<string, T>();
  private readonly order = new Set<string>();
  private readonly active = new Set<string>();
  /** Per key: failures in a row, and the timer of its next try. */
  private readonly failing = new Map<string, { failures: number; timer?: NodeJS.Timeout }>();
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: WorkQueueOptions<T>) {}

  get length(): number {
    return this.items.size;
  }

  add(key: string, item: T): void {
    if (this.closed) return;
    const queued = this.items.get(key);
    this.items.set(key, queued === undefined ? item : (this.options.merge ?? ((_q, incoming) => incoming))(queued, item));
    if (!this.active.has(key)) this.order.add(key);
    this.pump();
  }

  /** Forgets a key's failures and cancels its pending retry (the object is gone). */
  forget(key: string): void {
    const f = this.failing.get(key);
    if (f?.timer) clearTimeout(f.timer);
    this.failing.delete(key);
  }

  /** Drops everything not yet started, and every pending retry. */
  clear(): void {
    for (const key of this.order) this.items.delete(key);
    this.order.clear();
    // Items re-queued for keys being processed are dropped too.
    for (const key of this.active) this.items.delete(key);
    for (const key of [...this.failing.keys()]) this.forget(key);
    this.notifyIdle();
  }

  /** Stops taking work; resolves when the workers are done. */
  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    await this.idle();
  }

  /** Resolves when nothing is queued or running (pending retries do not count). */
  idle(): Promise<void> {
    if (this.running === 0 && this.items.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.running === 0 && this.items.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private failed(key: string, item: T, error: unknown): void {
    const { retry, onError } = this.options;
    if (!retry || this.closed) return onError?.(key, item, error, undefined);
    const f = this.failing.get(key) ?? { failures: 0 };
    f.failures++;
    if (f.timer) clearTimeout(f.timer);
    // No jitter: one key's retries are spaced, and keys fail at different moments anyway.
    const delay = backoffDelay(f.failures, { ...retry, jitter: 0 });
    f.timer = setTimeout(() => {
      f.timer = undefined;
      this.add(key, item);
    }, delay);
    f.timer.unref();
    this.failing.set(key, f);
    onError?.(key, item, error, delay);
  }

  private succeeded(key: string): void {
    const f = this.failing.get(key);
    // A retry scheduled meanwhile (another pass of the key failed) stays.
    if (f && !f.timer) this.failing.delete(key);
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.order.size > 0) {
      const key = this.order.values().next().value as string;
      this.order.delete(key);
      const item = this.items.get(key);
      if (item === undefined) continue;
      this.items.delete(key);
      this.active.add(key);
      this.running++;
      void this.options
        .worker(key, item)
        .then(
          () => this.succeeded(key),
          (error: unknown) => this.failed(key, item, error),
        )
        .finally(() => {
          this.running--;
          this.active.delete(key);
          if (this.items.has(key)) this.order.add(key);
          this.pump();
          this.notifyIdle();
        });
    }
  }
}
