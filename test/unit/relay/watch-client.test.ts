// kube.ts's watch request against a local HTTP server speaking the watch protocol (newline-delimited JSON events).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchClient, type WatchRequest } from '../../../in-cluster-relay/kube.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function withServer(handler: Handler, body: (server: string) => Promise<void>): Promise<void> {
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

function run(server: string, overrides: Partial<WatchRequest> = {}) {
  const client = watchClient({ server, token: () => 'secret' });
  const events: string[] = [];
  let connected = false;
  let abort: () => void = () => {};
  const ended = new Promise<Error | undefined>((resolve) => {
    abort = client.watch({
      path: '/apis/g/v1/things',
      query: { resourceVersion: '5', allowWatchBookmarks: true },
      idleTimeoutMs: 2_000,
      onConnected: () => (connected = true),
      onEvent: (type, object) => events.push(`${type} ${(object as { metadata?: { name?: string } }).metadata?.name ?? ''}`.trim()),
      onDone: resolve,
      ...overrides,
    });
  });
  return { events, ended, abort: () => abort(), connected: () => connected, close: () => client.close() };
}

describe('watch request over node http(s)', () => {
  it('sends the watch query and bearer token, and delivers each event line until the server ends the stream', async () => {
    let seen: { url?: string; auth?: string } = {};
    await withServer(
      (req, res) => {
        seen = { url: req.url, auth: req.headers.authorization };
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}\n');
        res.end('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n');
      },
      async (server) => {
        const w = run(server);
        expect(await w.ended).toBeUndefined();
        expect(w.connected()).toBe(true);
        expect(w.events).toEqual(['ADDED a', 'MODIFIED a', 'BOOKMARK']);
        await w.close();
      },
    );
    expect(seen.auth).toBe('Bearer secret');
    const url = new URL(seen.url!, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ watch: 'true', resourceVersion: '5', allowWatchBookmarks: 'true' });
  });

  it('a non-2xx answer ends the watch with an error carrying the status (410 makes the informer relist)', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(410);
        res.end('{"kind":"Status","code":410}');
      },
      async (server) => {
        const w = run(server);
        const error = (await w.ended) as Error & { statusCode?: number };
        expect(error.statusCode).toBe(410);
        expect(w.connected()).toBe(false);
        await w.close();
      },
    );
  });

  it('a stream that carries nothing for idleTimeoutMs ends with a TimeoutError', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200);
        res.flushHeaders();
      },
      async (server) => {
        const w = run(server, { idleTimeoutMs: 100 });
        expect((await w.ended)?.name).toBe('TimeoutError');
        await w.close();
      },
    );
  });

  it('aborting an open stream ends it once, with an AbortError, and nothing is thrown', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200);
        res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
      },
      async (server) => {
        const w = run(server);
        for (let i = 0; i < 100 && w.events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        w.abort();
        expect((await w.ended)?.name).toBe('AbortError');
        expect(w.events).toEqual(['ADDED a']);
        await w.close();
      },
    );
  });
});
