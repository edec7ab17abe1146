// Liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics) on one port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Probe {
  ok: boolean;
  detail: string;
}

export interface HealthServerOptions {
  port: number;
  host?: string;
  liveness(): Probe;
  readiness(): Probe;
  metrics(): string;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = (p: Probe) => {
      res.writeHead(p.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${p.ok ? 'ok' : 'fail'}: ${p.detail}\n`);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
      } else if (path === '/healthz' || path === '/livez') {
        probe(options.liveness());
      } else if (path === '/readyz') {
        probe(options.readiness());
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(options.metrics());
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
