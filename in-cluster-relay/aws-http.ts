// One HTTP(S) request with a whole-body answer, for the relay's own AWS calls (PutEvents, credentials), over node's
// http/https (loaded by the relay anyway for the API server). Two time-outs, both destroying the socket (so a
// keep-alive agent never hands it out again): connect, and inactivity on the socket (no byte either way).
// No shorter overall deadline, on purpose: a server that is slow but working must be waited for. An earlier signed
// client gave up on PutEvents after 10 s and retried; moto under load took longer, kept processing every abandoned
// call, and the retries piled onto it until calls stalled for tens of seconds. (The SDK client it replaced never
// gave up at all: @smithy/node-http-handler only logs a warning when `requestTimeout` passes.)
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
  agents?: Agents;
  /** TCP connect (default 3 s). */
  connectTimeoutMs?: number;
  /** No byte sent or received for this long (default 30 s). */
  idleTimeoutMs?: number;
}

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

/** Keep-alive agents as the SDK's handler has them (at most 50 sockets per host); idle sockets are closed after `idleMs`. */
export function keepAliveAgents(idleMs = 15_000): Agents {
  // `timeout` on an agent is the time-out of the sockets it keeps free: one idle that long is destroyed (servers close
  // idle keep-alive connections too, and reusing one just as the server closes it fails the request).
  const options = { keepAlive: true, maxSockets: 50, maxFreeSockets: 10, timeout: idleMs, scheduling: 'lifo' as const };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export type HttpFailure = 'connect-timeout' | 'idle-timeout' | 'network';

/** No HTTP answer: a time-out or a network failure (as opposed to an answer with an error status). */
export class HttpRequestError extends Error {
  constructor(
    message: string,
    readonly failure: HttpFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpRequestError';
  }
}

export function httpRequest(url: URL, options: HttpOptions): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const agent = options.agents?.[secure ? 'https' : 'http'];
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const what = `${options.method} ${url.host}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    const done = () => {
      settled = true;
      clearTimeout(connectTimer);
    };
    const fail = (error: HttpRequestError) => {
      if (settled) return;
      done();
      // Destroys the socket too: it is never returned to the agent's free list.
      req.destroy(error);
      reject(error);
    };
    const req = (secure ? https : http).request(
      url,
      { method: options.method, headers: options.headers, ...(agent ? { agent } : {}), timeout: idleTimeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail(new HttpRequestError(`${what}: ${error.message}`, 'network', { cause: error })));
        res.on('end', () => {
          if (settled) return;
          done();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('socket', (socket) => {
      // A kept-alive socket is connected already.
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => fail(new HttpRequestError(`${what}: not connected within ${connectTimeoutMs} ms`, 'connect-timeout')),
        connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    // The socket's inactivity time-out (request option `timeout`): node only reports it, so the request is ended here.
    req.on('timeout', () => fail(new HttpRequestError(`${what}: no data for ${idleTimeoutMs} ms`, 'idle-timeout')));
    req.on('error', (error) => fail(new HttpRequestError(`${what}: ${error.message}`, 'network', { cause: error })));
    req.on('close', () => fail(new HttpRequestError(`${what}: connection closed before the answer`, 'network')));
    req.end(options.body);
  });
}

export const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
