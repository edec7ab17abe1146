// A TCP pass-through on loopback: each connection accepted on its port is piped, byte for byte, to a backend (TLS
// passes untouched). It can stop accepting (the port refuses connections, as a host with nothing listening does)
// and accept again on the same port, and it can cut the connections through it. The test bed's readiness gate
// (readiness-gate.ts: shut until the API server behind is ready) and the relay tests' outage proxy
// (test/support/relay/tcp-proxy.ts: "EventBridge unreachable for a while") are this, each driven its own way.
import net from 'node:net';

export interface PassThrough {
  /** The port it accepts on: the one asked for, or the free one it was given for 0. */
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Refuses new connections from now on; those already through stay. */
  shut(): void;
  /** Accepts again, on the same port; a no-op once closed. */
  open(): Promise<void>;
  /** Ends every connection through it (both sides). */
  cut(): void;
  /** Shuts for good and cuts every connection. */
  close(): void;
}

const LISTEN_TRIES = 40;

export async function startPassThrough(port: number, backend: { host: string; port: number }): Promise<PassThrough> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let closed = false;
  let connections = 0;

  const pipe = (client: net.Socket) => {
    connections++;
    const upstream = net.connect(backend.port, backend.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  };

  // A fresh server each time: a shut one may still hold accepted connections, which are not the new one's.
  const listen = async () => {
    for (let attempt = 1; ; attempt++) {
      const candidate = net.createServer({ noDelay: true }, pipe);
      try {
        await new Promise<void>((resolve, reject) => {
          candidate.once('error', reject);
          candidate.listen(port, '127.0.0.1', () => resolve());
        });
        return candidate;
      } catch (error) {
        // Someone took the port while it was shut: it is ours for the pass-through's lifetime, and frees up again.
        if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= LISTEN_TRIES) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };

  // close() releases the port at once; its callback would wait for every accepted connection to end.
  const shut = () => {
    server?.close();
    server = undefined;
  };
  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  server = await listen();
  port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return connections;
    },
    shut,
    open: async () => {
      if (!closed && !server) server = await listen();
    },
    cut,
    close: () => {
      closed = true;
      shut();
      cut();
    },
  };
}
