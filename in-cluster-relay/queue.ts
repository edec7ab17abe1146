// A keyed work queue with a fixed number of workers, like client-go's: a key is handled by one worker at a time,
// and changes to a key that arrive while it is queued or being handled collapse into one more pass with the
// latest item. Bursts (start-up, relists) thus cost one pass per object, not one per event.

export type Merge<T> = (queued: T, incoming: T) => T;

export class KeyedQueue<T> {
  private readonly items = new Map<string, T>();
  private readonly order = new Set<string>();
  private readonly active = new Set<string>();
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly worker: (key: string, item: T) => Promise<void>,
    private readonly concurrency: number,
    private readonly merge: Merge<T> = (_queued, incoming) => incoming,
    private readonly onError: (key: string, item: T, error: unknown) => void = () => {},
  ) {}

  get length(): number {
    return this.items.size;
  }

  add(key: string, item: T): void {
    if (this.closed) return;
    const queued = this.items.get(key);
    this.items.set(key, queued === undefined ? item : this.merge(queued, item));
    if (!this.active.has(key)) this.order.add(key);
    this.pump();
  }

  /** Drops everything not yet started. */
  clear(): void {
    for (const key of this.order) this.items.delete(key);
    this.order.clear();
    // Items re-queued for keys being processed are dropped too.
    for (const key of this.active) this.items.delete(key);
    this.notifyIdle();
  }

  /** Stops taking work; resolves when the workers are done. */
  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    await this.idle();
  }

  idle(): Promise<void> {
    if (this.running === 0 && this.items.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.running === 0 && this.items.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.order.size > 0) {
      const key = this.order.values().next().value as string;
      this.order.delete(key);
      const item = this.items.get(key);
      if (item === undefined) continue;
      this.items.delete(key);
      this.active.add(key);
      this.running++;
      void this.worker(key, item)
        .catch((error: unknown) => this.onError(key, item, error))
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
