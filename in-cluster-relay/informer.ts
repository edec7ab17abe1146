// The informer: list + watch of one collection, by default InstanceGroups (all namespaces or one); the Node watch
// (node-watch.ts) runs the same loop over our Nodes by label selector. client-node's informer stops for good on
// any error other than 410 and has no bookmarks, so the loop is ours:
// - resume from the last resourceVersion seen (event or bookmark) after a normal close or an error;
// - relist (paginated) when the server says the resourceVersion has expired (410 Gone, as an HTTP status or as an
//   ERROR event);
// - restart after any other error with exponential backoff (core/backoff);
// - record every sign of life (list, connect, event, bookmark) for the liveness probe.
// It keeps no cache of objects: each event goes straight to its handler (for InstanceGroups the work queue, which
// holds only the objects that need work, most need none), so memory does not grow with the number of objects.
import { backoffDelay, sleep, type BackoffPolicy } from '../core/backoff/index.js';
import { httpStatusOf } from '../core/kube/instancegroups.js';
import type { KubeRest } from '../core/kube/rest.js';
import type { Logger } from '../core/log/index.js';
import { API_GROUP, API_VERSION, PLURAL } from '../core/schema/openapi.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { WatchClient } from './kube.js';
import type { RelayMetrics } from './metrics.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'LISTED';

export interface InformerOptions<T = InstanceGroup> {
  /** For the lists. */
  rest: KubeRest;
  /** For the watch requests (kube.ts). */
  watch: WatchClient;
  /** The collection listed and watched; by default the InstanceGroups of `namespace`. */
  path?: string;
  /** InstanceGroups only: undefined watches all namespaces. */
  namespace?: string;
  /** Only the objects that match it are listed and watched. */
  labelSelector?: string;
  /** Each object: LISTED for those of a (re)list, in page order, then the watch's events. */
  onEvent(type: WatchEventType, object: T, observedAt: number): void;
  /** A (re)list is about to deliver its first page. */
  onListStarted?(): void;
  /** After each complete (re)list. */
  onListed?(): void;
  logger: Logger;
  metrics?: RelayMetrics;
  backoff: BackoffPolicy;
  /** Server-side timeout of one watch request (jittered up to 2x), after which the watch resumes. */
  timeoutSeconds: number;
  /** Abort a watch connection that has carried no bytes for this long (a half-open connection). */
  idleTimeoutMs: number;
  pageSize?: number;
  /** Start from this resourceVersion instead of listing first (tests use an expired one). */
  resourceVersion?: string;
}

type WatchEnd = { kind: 'closed'; received: boolean } | { kind: 'gone'; message: string } | { kind: 'error'; error: unknown };

export class Informer<T = InstanceGroup> {
  /** performance.now() of the last sign of life. */
  lastActivity = performance.now();
  /** True once the first list completed. */
  synced = false;
  /** List pages handed to onEvent so far (a leader that starts before the first page uses that list as its first pass). */
  pagesDelivered = 0;
  resourceVersion: string;
  private readonly stopController = new AbortController();
  private abortCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private failures = 0;
  private listedOnce = false;

  constructor(private readonly options: InformerOptions<T>) {
    this.resourceVersion = options.resourceVersion ?? '';
  }

  get path(): string {
    if (this.options.path) return this.options.path;
    const base = `/apis/${API_GROUP}/${API_VERSION}`;
    return this.options.namespace ? `${base}/namespaces/${this.options.namespace}/${PLURAL}` : `${base}/${PLURAL}`;
  }

  private get selector(): { labelSelector?: string } {
    return this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {};
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.abortCurrent?.();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private alive(): void {
    this.lastActivity = performance.now();
    this.options.metrics?.watchLastActivity.set(Date.now() / 1000);
  }

  private async run(): Promise<void> {
    const { logger, metrics } = this.options;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) {
          await this.list();
          if (this.stopped) break;
        }
        const started = performance.now();
        const end = await this.watchOnce();
        if (this.stopped) break;
        if (end.kind === 'closed') {
          // Normal (server timeout, idle reconnect): resume at once. Closed at once with nothing: back off.
          if (end.received || performance.now() - started > 1000) continue;
          throw new Error('the watch closed immediately without any event');
        }
        if (end.kind === 'gone') {
          metrics?.watchRelists.inc();
          logger.info('watch resourceVersion expired; relisting', { resourceVersion: this.resourceVersion, detail: end.message });
          this.resourceVersion = '';
          continue;
        }
        throw end.error;
      } catch (error) {
        if (this.stopped) break;
        if (httpStatusOf(error) === 410) {
          // An expired continue token while paging: list again from the start.
          metrics?.watchRelists.inc();
          this.resourceVersion = '';
          continue;
        }
        this.failures++;
        metrics?.watchRestarts.inc();
        const delay = backoffDelay(this.failures, this.options.backoff);
        logger.warn('watch failed; restarting', {
          path: this.path,
          resourceVersion: this.resourceVersion,
          retryInMs: Math.round(delay),
          ...(httpStatusOf(error) === 403 ? { hint: `the relay needs list and watch on ${this.path}: see its ClusterRole` } : {}),
          error,
        });
        await sleep(delay, this.stopController.signal);
      }
    }
  }

  private async list(): Promise<void> {
    let items = 0;
    this.options.onListStarted?.();
    const query = { ...this.selector, limit: this.options.pageSize ?? 500 };
    const resourceVersion = await listPages<T>(this.options.rest, this.path, query, (page) => {
      if (this.stopped) return;
      this.alive();
      this.pagesDelivered++;
      const observedAt = performance.now();
      for (const item of page) {
        items++;
        this.options.metrics?.watchEvents.inc({ type: 'LISTED' });
        this.options.onEvent('LISTED', item, observedAt);
      }
    });
    if (this.stopped) return;
    this.resourceVersion = resourceVersion;
    if (this.listedOnce) this.options.logger.info('relisted', { path: this.path, items, resourceVersion });
    this.listedOnce = true;
    this.synced = true;
    this.options.onListed?.();
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let received = false;
      const finish = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        // A watch that delivered something was healthy: a later error starts the backoff from the beginning.
        if (received) this.failures = 0;
        resolve(end);
      };
      const timeoutSeconds = Math.round(this.options.timeoutSeconds * (1 + Math.random()));
      this.abortCurrent = this.options.watch.watch({
        path: this.path,
        query: { ...this.selector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        // Must outlast the server's bookmark interval (about a minute), or quiet watches reconnect needlessly.
        idleTimeoutMs: this.options.idleTimeoutMs,
        onConnected: () => {
          if (!settled) this.alive();
        },
        onEvent: (type, raw) => {
          if (settled) return;
          const object = raw as { code?: number; message?: string; metadata?: { resourceVersion?: string } };
          this.alive();
          received = true;
          this.options.metrics?.watchEvents.inc({ type });
          if (type === 'ERROR') {
            const gone = object.code === 410 ? (object.message ?? 'expired') : undefined;
            const error = Object.assign(new Error(`watch ERROR event: ${object.message ?? JSON.stringify(object)}`), { code: object.code });
            finish(gone ? { kind: 'gone', message: gone } : { kind: 'error', error });
            // The server ends the stream after an ERROR; make sure of it.
            this.abortCurrent?.();
            return;
          }
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            this.options.onEvent(type, object as unknown as T, performance.now());
          }
          const rv = object.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
        },
        onDone: (error) => {
          if (!error) return finish({ kind: 'closed', received });
          if (httpStatusOf(error) === 410) return finish({ kind: 'gone', message: error.message });
          // The inactivity timeout: reconnect from the last resourceVersion right away.
          if (error.name === 'TimeoutError') return finish({ kind: 'closed', received });
          finish({ kind: 'error', error });
        },
      });
      if (this.stopped) this.abortCurrent();
    });
  }
}

/**
 * Lists a collection page by page (so 10,000 objects are never all in memory at once); returns the list's
 * resourceVersion. An expired continue token surfaces as a 410.
 */
export async function listPages<T>(
  rest: KubeRest,
  path: string,
  query: { limit: number; labelSelector?: string },
  onPage: (items: T[]) => void,
): Promise<string> {
  let continueToken: string | undefined;
  let resourceVersion = '';
  do {
    const page = await rest.get<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>(path, {
      ...query,
      continue: continueToken,
    });
    continueToken = page.metadata.continue || undefined;
    resourceVersion = page.metadata.resourceVersion;
    onPage(page.items);
  } while (continueToken);
  return resourceVersion;
}

/** Lists InstanceGroups (all namespaces or one) page by page; see listPages. */
export function listInstanceGroups(
  rest: KubeRest,
  namespace: string | undefined,
  pageSize: number,
  onPage: (items: InstanceGroup[]) => void,
): Promise<string> {
  const path = `/apis/${API_GROUP}/${API_VERSION}${namespace ? `/namespaces/${namespace}` : ''}/${PLURAL}`;
  return listPages(rest, path, { limit: pageSize }, onPage);
}

/** One informer per watched namespace (or one for all namespaces), seen as a whole. */
export class Informers {
  readonly all: Informer[];

  constructor(namespaces: string[], options: Omit<InformerOptions, 'namespace'>) {
    this.all = (namespaces.length ? namespaces : [undefined]).map((namespace) => new Informer({ ...options, namespace }));
  }

  /** Every informer has completed its first list. */
  get synced(): boolean {
    return this.all.every((i) => i.synced);
  }

  /** No informer has delivered a list page yet. */
  get nothingDelivered(): boolean {
    return this.all.every((i) => i.pagesDelivered === 0);
  }

  unsynced(): Informer[] {
    return this.all.filter((i) => !i.synced);
  }

  /** Informers without a sign of life for longer than staleAfterMs. */
  stale(staleAfterMs: number, now = performance.now()): Informer[] {
    return this.all.filter((i) => now - i.lastActivity > staleAfterMs);
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }
}
