import http from 'node:http';
import https from 'node:https';
import type { KubeConnection } from './connection.js';

// A small Kubernetes REST client: the handful of calls the workflows make, over node's own http(s) with keep-alive.
// The full @kubernetes/client-node adds megabytes and hundreds of milliseconds of cold start to every Lambda that
// talks to a cluster; the relay, which needs informers, keeps using it.

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: 'application/json' | 'application/json-patch+json' | 'application/merge-patch+json';
  query?: Record<string, string | number | boolean | undefined>;
}

export class KubeRest {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    readonly connection: KubeConnection,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = new URL(connection.server);
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(connection.caPem ? { ca: connection.caPem } : {}),
            ...(connection.certPem ? { cert: connection.certPem, key: connection.keyPem } : {}),
            rejectUnauthorized: !connection.insecureSkipTlsVerify,
          })
        : new http.Agent({ keepAlive: true });
  }

  get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, query ? { query } : {});
  }

  request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.url.pathname.replace(/\/$/, '') + path, this.url);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const token = this.connection.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    const transport = url.protocol === 'https:' ? https : http;

    return new Promise<T>((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text for the error message
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(body as T);
          const status = body as { reason?: string; message?: string } | undefined;
          reject(new KubeApiError(code, status?.reason ?? 'Unknown', `${method} ${path}: ${code} ${status?.message ?? text}`, body));
        });
      });
      // Coded like node's own socket time-out so that classifyError counts it as retryable.
      req.on('timeout', () => req.destroy(Object.assign(new Error(`${method} ${path}: timed out`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
