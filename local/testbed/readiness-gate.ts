// The API server's client-facing port: a TCP pass-through in front of kube-apiserver that accepts connections only
// while the API server behind it is ready, as the load balancer in front of an EKS cluster's endpoint sends traffic
// only to API servers that pass its health check. kube-apiserver itself serves requests before it is ready: for a
// moment after a start its RBAC authorizer has not synced and refuses every non-admin identity with 403, which no
// client of EKS ever sees. While the gate is shut the port is closed (clients get ECONNREFUSED, as they would from
// an endpoint with no healthy API server); connections already through stay until the API server ends them. TLS
// passes through untouched, so the API server's own serving certificate is what clients verify.
import net from 'node:net';

export interface ReadinessGate {
  /** https://127.0.0.1:<port>: the URL every kubeconfig names. */
  url: string;
  port: number;
  isOpen(): boolean;
  /** Stops accepting connections (the port refuses them); established ones are left to the API server. */
  shut(): Promise<void>;
  /** Accepts connections again; call once the API server behind answers /readyz. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface ReadinessGateOptions {
  /** The client-facing port (0: any free one, chosen on the first open). */
  port?: number;
  /** Where kube-apiserver listens. */
  backend: { host: string; port: number };
}

const REOPEN_TRIES = 20;

export async function startReadinessGate(options: ReadinessGateOptions): Promise<ReadinessGate> {
  const sockets = new Set<net.Socket>();
  let port = options.port ?? 0;
  let server: net.Server | undefined;
  let closed = false;

  const pipe = (client: net.Socket) => {
    const upstream = net.connect(options.backend.port, options.backend.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = async () => {
    for (let attempt = 1; ; attempt++) {
      const candidate = net.createServer({ noDelay: true }, pipe);
      try {
        await new Promise<void>((resolve, reject) => {
          candidate.once('error', reject);
          candidate.listen(port, '127.0.0.1', () => resolve());
        });
        port = (candidate.address() as net.AddressInfo).port;
        return candidate;
      } catch (error) {
        // Someone took the port while it was closed: it frees up again (a test bed's port is ours for its lifetime).
        if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= REOPEN_TRIES) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };

  // server.close() releases the port at once; its callback would wait for every accepted connection to end.
  const stopListening = () => {
    server?.close();
    server = undefined;
  };

  server = await listen();
  const gate: ReadinessGate = {
    get url() {
      return `https://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    isOpen: () => server !== undefined,
    shut: async () => stopListening(),
    open: async () => {
      if (closed || server) return;
      server = await listen();
    },
    close: async () => {
      closed = true;
      stopListening();
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
  return gate;
}
