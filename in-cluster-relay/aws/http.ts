// One HTTP(S) request with a whole-body answer, over node's own http/https (already loaded by the relay for the API
// server), with a connect timeout and an overall timeout. The relay's AWS calls (PutEvents, credentials) use it.
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Keep-alive agents, per protocol; default: node's global agents. */
  agents?: { http?: http.Agent; https?: https.Agent };
  connectTimeoutMs?: number;
  timeoutMs?: number;
}

/** Network failures and time-outs, as opposed to an HTTP answer. */
export class HttpRequestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpRequestError';
  }
}

export function httpRequest(url: URL, options: HttpOptions): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const agent = secure ? options.agents?.https : options.agents?.http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      if (connect) clearTimeout(connect);
      req.destroy();
      reject(new HttpRequestError(message, { cause }));
    };
    const req = (secure ? https : http).request(url, { method: options.method, headers: options.headers, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => fail(`${options.method} ${url.host}: ${error.message}`, error));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const overall = setTimeout(() => fail(`${options.method} ${url.host}: no answer within ${options.timeoutMs} ms`), options.timeoutMs ?? 10_000);
    let connect: NodeJS.Timeout | undefined;
    if (options.connectTimeoutMs) {
      connect = setTimeout(() => fail(`${options.method} ${url.host}: not connected within ${options.connectTimeoutMs} ms`), options.connectTimeoutMs);
      req.on('socket', (socket) => {
        // A kept-alive socket is connected already.
        if (!socket.connecting) clearTimeout(connect);
        else socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connect));
      });
    }
    req.on('error', (error) => fail(`${options.method} ${url.host}: ${error.message}`, error));
    req.end(options.body);
  });
}
