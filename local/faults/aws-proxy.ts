// A fault-injecting HTTP proxy in front of an AWS emulator (moto, or the local Step Functions runtime). Every call
// passes through unchanged unless the proxy is active and the call's draw says otherwise; then the caller gets one of
// the failures AWS documents for any call (local/faults/aws-errors.ts) or a network failure:
//   - throttling, a 500 or a 503, in the call's protocol shape (the call does not reach the emulator);
//   - hang-then-drop: the proxy holds the request for `hangMs` and then closes the connection without an answer
//     (the call does not reach the emulator: a request lost on the way);
//   - drop-after: the proxy forwards the call, the emulator does the work, and the answer is lost (the connection
//     closes): the caller cannot tell whether its change was made, as when a time-out strikes after AWS acted.
// Draws are seeded per operation: the n-th call of (service, operation) gets the same fate in every run with the same
// seed, whatever the interleaving of the calls. Named as emulation in docs/emulation.md.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorResponse, operationOf, protocolOf, serviceOf, type ErrorKind } from './aws-errors.js';

export type AwsFaultKind = ErrorKind | 'hang-then-drop' | 'drop-after';
export const AWS_FAULT_KINDS: readonly AwsFaultKind[] = ['throttling', 'server-error', 'unavailable', 'hang-then-drop', 'drop-after'];

export interface AwsFaultProxyOptions {
  /** The emulator's base URL (http://127.0.0.1:port). */
  upstream: string;
  seed: number;
  /** Chance that a call gets a fault while the proxy is active (0..1). */
  probability: number;
  /** Relative weights of the fault kinds (default: equal). A kind with weight 0 never happens. */
  weights?: Partial<Record<AwsFaultKind, number>>;
  /** How long a hang-then-drop holds the request before closing the connection. Default 3 s. */
  hangMs?: number;
  /** Services never faulted (SigV4 scope names, e.g. "sts"). */
  spare?: string[];
  /** Start active (default false: the proxy passes everything until activate()). */
  active?: boolean;
  /** Called for each fault injected (for logs). */
  onFault?: (fault: InjectedFault) => void;
}

export interface InjectedFault {
  kind: AwsFaultKind;
  service: string;
  operation: string;
  /** Which call of this (service, operation) it was, from 0. */
  call: number;
}

export interface AwsFaultProxy {
  url: string;
  /** Faults injected so far, by kind. */
  counts: Record<AwsFaultKind, number>;
  /** Faults injected so far, by "service kind". */
  byService: Record<string, number>;
  calls: number;
  /** performance.now() of the last fault, 0 if none. */
  lastAt(): number;
  activate(): void;
  deactivate(): void;
  close(): Promise<void>;
}

/** FNV-1a of a string, then one round of mulberry32: a uniform draw in [0, 1) that depends only on the key. */
export function draw(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The fate of the n-th call of an operation: undefined (pass) or a fault kind. Pure. */
export function fateOf(
  seed: number,
  probability: number,
  weights: Record<AwsFaultKind, number>,
  service: string,
  operation: string,
  call: number,
): AwsFaultKind | undefined {
  const key = `${seed}|${service}|${operation}|${call}`;
  if (draw(key) >= probability) return undefined;
  const total = AWS_FAULT_KINDS.reduce((sum, k) => sum + weights[k], 0);
  let pick = draw(`${key}|kind`) * total;
  for (const kind of AWS_FAULT_KINDS) {
    if (pick < weights[kind]) return kind;
    pick -= weights[kind];
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startAwsFaultProxy(options: AwsFaultProxyOptions): Promise<AwsFaultProxy> {
  const upstream = new URL(options.upstream);
  const weights = Object.fromEntries(AWS_FAULT_KINDS.map((k) => [k, options.weights?.[k] ?? 1])) as Record<AwsFaultKind, number>;
  const hangMs = options.hangMs ?? 3_000;
  const spare = new Set(options.spare ?? []);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const callsOf = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let active = options.active ?? false;
  let last = 0;
  const proxy: Omit<AwsFaultProxy, 'url'> = {
    counts: Object.fromEntries(AWS_FAULT_KINDS.map((k) => [k, 0])) as Record<AwsFaultKind, number>,
    byService: {},
    calls: 0,
    lastAt: () => last,
    activate: () => void (active = true),
    deactivate: () => void (active = false),
    close: async () => {},
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, dropAnswer: boolean) => {
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        if (dropAnswer) {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`aws fault proxy: upstream ${options.upstream} failed: ${error.message}`);
    });
    out.end(body);
  };

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req).catch(() => undefined);
    if (!body) return;
    const service = serviceOf(req.headers);
    if (!active || req.url?.startsWith('/moto-api/') || spare.has(service)) return forward(req, body, res, false);
    const operation = operationOf(req.method ?? 'GET', req.url ?? '/', req.headers, body.toString('utf8'));
    const opKey = `${service}|${operation}`;
    const call = callsOf.get(opKey) ?? 0;
    callsOf.set(opKey, call + 1);
    proxy.calls++;
    const kind = fateOf(options.seed, options.probability, weights, service, operation, call);
    if (!kind) return forward(req, body, res, false);
    proxy.counts[kind]++;
    proxy.byService[`${service} ${kind}`] = (proxy.byService[`${service} ${kind}`] ?? 0) + 1;
    last = performance.now();
    options.onFault?.({ kind, service, operation, call });
    if (kind === 'drop-after') return forward(req, body, res, true);
    if (kind === 'hang-then-drop') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        req.socket.destroy();
      }, hangMs);
      timers.add(timer);
      return;
    }
    const error = errorResponse(protocolOf(service, req.headers), kind, req.headers['content-type']);
    res.writeHead(error.status, { ...error.headers, 'content-length': Buffer.byteLength(error.body) });
    res.end(error.body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  proxy.close = async () => {
    for (const timer of timers) clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { ...proxy, url: `http://127.0.0.1:${port}`, get calls() { return proxy.calls; } } as AwsFaultProxy;
}
