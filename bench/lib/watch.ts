// A watch on InstanceGroups (all namespaces), timestamping each event as it arrives: the benchmark's view of "the
// InstanceGroup shows Ready" and "the object is gone", as a person's `kubectl get -w` would see it. A small
// streaming client over node's https (the thin core/kube/rest.ts client has no watch); it resumes from the last
// resourceVersion when the server closes the stream.
import http from 'node:http';
import https from 'node:https';
import type { KubeConnection } from '../../core/kube/connection.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { now } from './instrument.js';

const PATH = '/apis/instancemgr.keikoproj.io/v1alpha1/instancegroups';

export interface GroupEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  at: number;
  key: string;
  uid: string;
  generation: number;
  state?: string;
  observedGeneration?: number;
  group: InstanceGroup;
}

interface Waiter {
  test: (e: GroupEvent) => boolean;
  resolve: (e: GroupEvent) => void;
}

export const groupKey = (g: { metadata: { namespace?: string; name: string } }) => `${g.metadata.namespace}/${g.metadata.name}`;

export class GroupWatch {
  readonly events: GroupEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly agent: http.Agent;
  private request?: http.ClientRequest;
  private stopped = false;
  private resourceVersion = '';
  private failure?: Error;

  constructor(private readonly connection: KubeConnection) {
    const url = new URL(connection.server);
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({
            ...(connection.caPem ? { ca: connection.caPem } : {}),
            ...(connection.certPem ? { cert: connection.certPem, key: connection.keyPem } : {}),
            rejectUnauthorized: !connection.insecureSkipTlsVerify,
          })
        : new http.Agent();
  }

  private get(path: string, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    const url = new URL(this.connection.server.replace(/\/$/, '') + path);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.connection.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: 'GET', headers, agent: this.agent }, onResponse);
    req.end();
    return req;
  }

  /** Lists (for the resourceVersion) and starts watching; resolves once the watch is connected. */
  async start(): Promise<void> {
    // Right after the CRD is established its storage may still answer 429 ("storage is (re)initializing").
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private async startOnce(): Promise<void> {
    const list = await new Promise<{ metadata: { resourceVersion: string } }>((resolve, reject) => {
      const req = this.get(PATH, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`list InstanceGroups: HTTP ${res.statusCode} ${text.slice(0, 200)}`))));
      });
      req.on('error', reject);
    });
    this.resourceVersion = list.metadata.resourceVersion;
    await new Promise<void>((resolve, reject) => this.connect(resolve, reject));
  }

  private connect(onConnected?: () => void, onError?: (e: Error) => void): void {
    if (this.stopped) return;
    const query = `?watch=1&allowWatchBookmarks=true&timeoutSeconds=1800&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    let buffer = '';
    const req = this.get(PATH + query, (res) => {
      if (res.statusCode !== 200) {
        const error = new Error(`watch InstanceGroups: HTTP ${res.statusCode}`);
        res.resume();
        if (onError) onError(error);
        else this.fail(error);
        return;
      }
      onConnected?.();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = now();
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, i).trim();
          buffer = buffer.slice(i + 1);
          if (line) this.onLine(line, at);
        }
      });
      res.on('end', () => {
        if (!this.stopped) setImmediate(() => this.connect());
      });
    });
    req.on('error', (error) => {
      if (this.stopped) return;
      if (onError) onError(error);
      else setTimeout(() => this.connect(), 200);
    });
    this.request = req;
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const w of this.waiters) w.resolve(undefined as never);
  }

  private onLine(line: string, at: number): void {
    const event = JSON.parse(line) as { type: string; object: InstanceGroup & { code?: number; message?: string } };
    if (event.type === 'ERROR') {
      this.fail(new Error(`watch InstanceGroups: ${event.object.message ?? line}`));
      return;
    }
    const g = event.object;
    if (g.metadata?.resourceVersion) this.resourceVersion = g.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const e: GroupEvent = {
      type: event.type as GroupEvent['type'],
      at,
      key: groupKey(g),
      uid: g.metadata.uid,
      generation: g.metadata.generation,
      group: g,
      ...(g.status?.currentState ? { state: g.status.currentState } : {}),
      ...(g.status?.observedGeneration !== undefined ? { observedGeneration: g.status.observedGeneration } : {}),
    };
    this.events.push(e);
    for (const w of [...this.waiters]) {
      if (w.test(e)) {
        this.waiters.delete(w);
        w.resolve(e);
      }
    }
  }

  /** The first event (already seen at or after `since`, or still to come) that passes `test`. */
  waitFor(test: (e: GroupEvent) => boolean, options: { since?: number; timeoutMs?: number; what?: string } = {}): Promise<GroupEvent> {
    if (this.failure) return Promise.reject(this.failure);
    const seen = this.events.find((e) => e.at >= (options.since ?? -Infinity) && test(e));
    if (seen) return Promise.resolve(seen);
    const timeoutMs = options.timeoutMs ?? 60_000;
    return new Promise<GroupEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no ${options.what ?? 'matching InstanceGroup event'} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const waiter: Waiter = {
        test,
        resolve: (e) => {
          clearTimeout(timer);
          if (e) resolve(e);
          else reject(this.failure);
        },
      };
      this.waiters.add(waiter);
    });
  }

  stop(): void {
    this.stopped = true;
    this.request?.destroy();
    this.agent.destroy();
  }
}
