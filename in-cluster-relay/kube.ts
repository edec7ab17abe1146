// How the relay reaches the API server: core's KubeConnection (kubeconfig file or in-cluster service account) for
// REST calls, and a watch request over node's own http(s). Neither @kubernetes/client-node (its KubeConfig pulls in
// every generated API and model) nor the undici package (about 9 MB of resident memory for one streaming GET) is
// loaded: the relay's budget is 64 MB.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { connectionFromKubeconfig, inClusterConnection, type KubeConnection } from '../core/kube/connection.js';
import { KubeRest } from '../core/kube/rest.js';

/** config.kubeconfig (or KUBECONFIG), else the pod's service account. */
export function relayConnection(kubeconfig: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const file = kubeconfig ?? env.KUBECONFIG?.split(':')[0];
  if (file) return connectionFromKubeconfig(file);
  if (env.KUBERNETES_SERVICE_HOST) return inClusterConnection(env);
  const home = env.HOME ? `${env.HOME}/.kube/config` : undefined;
  if (home && fs.existsSync(home)) return connectionFromKubeconfig(home);
  throw new Error('no Kubernetes credentials: set KUBECONFIG, or run in a pod with a service account');
}

export function restClient(connection: KubeConnection): KubeRest {
  return new KubeRest(connection);
}

export interface WatchRequest {
  path: string;
  query: Record<string, string | number | boolean>;
  /** Abort (as a TimeoutError) when no byte has arrived for this long, connecting included: a half-open connection. */
  idleTimeoutMs: number;
  /** The server answered 2xx: the stream is open. */
  onConnected?(): void;
  /** One watch event: its type and object (ERROR events carry a Status). */
  onEvent(type: string, object: unknown): void;
  /** Called once: undefined when the server ended the stream, else why it ended. Non-2xx answers carry statusCode. */
  onDone(error?: Error): void;
}

export interface WatchClient {
  /** Starts one watch request; the returned function aborts it (onDone is then called with an AbortError). */
  watch(request: WatchRequest): () => void;
  close(): Promise<void>;
}

export function watchClient(connection: KubeConnection): WatchClient {
  const server = new URL(connection.server);
  const secure = server.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        ...(connection.caPem ? { ca: connection.caPem } : {}),
        ...(connection.certPem && connection.keyPem ? { cert: connection.certPem, key: connection.keyPem } : {}),
        rejectUnauthorized: !connection.insecureSkipTlsVerify,
      })
    : new http.Agent({ keepAlive: true });

  function watch(request: WatchRequest): () => void {
    const url = new URL(server.pathname.replace(/\/$/, '') + request.path, server);
    url.searchParams.set('watch', 'true');
    for (const [key, value] of Object.entries(request.query)) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = connection.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;

    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (error?: Error) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      req.destroy();
      request.onDone(error);
    };
    const stall = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => done(named('TimeoutError', `no data for ${request.idleTimeoutMs} ms`)), request.idleTimeoutMs);
      timer.unref();
    };

    const req = (secure ? https : http).get(url, { headers, agent }, (res) => {
      // Destroying the request (abort, timeout, end) makes the response emit 'aborted' errors: always listened to.
      res.on('error', (error) => done(error));
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        return done(Object.assign(new Error(res.statusMessage || http.STATUS_CODES[status] || 'Internal Server Error'), { statusCode: status }));
      }
      stall();
      request.onConnected?.();
      res.on('data', stall);
      res.on('end', () => done());
      // A connection closed mid-stream counts as the server ending the watch (as client-node's Watch has it): the
      // informer resumes from the last resourceVersion at once.
      res.on('close', () => done());
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      // readline re-emits its input's errors; unlistened, they would be thrown.
      lines.on('error', (error) => done(error));
      lines.on('line', (line) => {
        if (finished || !line) return;
        let event: { type?: string; object?: unknown };
        try {
          event = JSON.parse(line) as { type?: string; object?: unknown };
        } catch {
          return; // a torn line on an aborted stream
        }
        if (event.type) request.onEvent(event.type, event.object);
      });
    });
    req.on('error', (error) => done(error));
    stall();
    return () => done(named('AbortError', 'the watch was aborted'));
  }

  return {
    watch,
    close: async () => agent.destroy(),
  };
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
