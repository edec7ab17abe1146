import http from 'node:http';
import https from 'node:https';
import { retryWithBackoff } from '../backoff/index.js';
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

/**
 * Retries of a request the authorizer refused (403 "User … cannot …"). On EKS a new access entry or RBAC binding
 * takes seconds to reach every API server, so a refusal right after one is made (or right after an API server came
 * back) may pass a moment later; a refusal that lasts is a missing right, and is thrown as it came, with the fix.
 */
export interface ForbiddenRetry {
  /** Tries after the first (0: none). */
  retries: number;
  /** Pause before the first retry; it doubles for each next one. */
  delayMs: number;
}

/** For the workflows' clients: 1 + 3 tries over 7 s. */
export const WORKFLOW_FORBIDDEN_RETRY: ForbiddenRetry = { retries: 3, delayMs: 1_000 };

const AUTHORIZER_DENIAL = /\bUser "[^"]*" cannot /;

export function isAuthorizerDenial(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && error.code === 403 && AUTHORIZER_DENIAL.test(error.message);
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
    private readonly forbiddenRetry: ForbiddenRetry = { retries: 0, delayMs: 0 },
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

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { retries, delayMs } = this.forbiddenRetry;
    try {
      // No jitter and no cap: the pauses are delayMs, 2×, 4×…, so the message below can say how long it waited.
      return await retryWithBackoff(() => this.requestOnce<T>(method, path, options), {
        maxAttempts: retries + 1,
        retryable: isAuthorizerDenial,
        initialMs: delayMs,
        maxMs: Number.POSITIVE_INFINITY,
        jitter: 0,
      });
    } catch (error) {
      if (retries === 0 || !isAuthorizerDenial(error)) throw error;
      throw new KubeApiError(
        error.code,
        error.reason,
        `${error.message} (still refused after ${retries + 1} tries over ${(delayMs * (2 ** retries - 1)) / 1000} s: ` +
          `the identity lacks this right; grant it through the cluster's access entry and RBAC, see infra/k8s/workflows-rbac.yaml)`,
        error.body,
      );
    }
  }

  private requestOnce<T>(method: string, path: string, options: RequestOptions): Promise<T> {
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
