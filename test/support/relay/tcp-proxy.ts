// A TCP proxy on loopback that a test can close (connection refused, open connections cut) and open again on
// the same port: "EventBridge unreachable for a while" without touching the service behind it.
import net from 'node:net';

export interface TcpProxy {
  url: string;
  port: number;
  /** Stops accepting and cuts every open connection. */
  close(): Promise<void>;
  /** Accepts again, on the same port. */
  open(): Promise<void>;
  /** Connections accepted so far. */
  readonly connections: number;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const t = new URL(target);
  const targetPort = Number(t.port || (t.protocol === 'https:' ? 443 : 80));
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, t.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${t.protocol}//127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      }),
    open: async () => {
      if (!server.listening) await listen(port);
    },
  };
}
