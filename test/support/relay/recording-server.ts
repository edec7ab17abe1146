// A local HTTP server standing in for an AWS endpoint in unit tests (EventBridge, STS, the Pod Identity Agent): it
// records every request and answers as the test says, late, or never; it can be stopped (refusing connections and
// cutting open ones, as test/support/relay/tcp-proxy.ts does) and started again on the same port.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; body: string; headers?: Record<string, string>; afterMs?: number } | { hang: true };

export async function recordingServer(answer: (seen: Seen, n: number) => Answer) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      const a = answer(s, seen.length);
      if ('hang' in a) return;
      const send = () => {
        res.writeHead(a.status, { 'x-amzn-requestid': `req-${seen.length}`, ...a.headers });
        res.end(a.body);
      };
      if (a.afterMs) setTimeout(send, a.afterMs);
      else send();
    });
  });
  srv.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get connections() {
      return connections;
    },
    /** Stops listening and cuts every connection. */
    stop: () =>
      new Promise<void>((r) => {
        if (!srv.listening) return r();
        srv.close(() => r());
        for (const s of sockets) s.destroy();
      }),
    start: () => new Promise<void>((r) => srv.listen(port, '127.0.0.1', r)),
    /** Closes idle keep-alive connections from the server side, as a load balancer does. */
    dropIdle: () => srv.closeIdleConnections(),
  };
}
