// A TCP proxy on loopback that a test can close (connection refused, open connections cut) and open again on
// the same port: "EventBridge unreachable for a while" without touching the service behind it.
import { startPassThrough } from '../../../local/testbed/tcp-pass-through.js';

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
  const pass = await startPassThrough(0, { host: t.hostname, port: Number(t.port || (t.protocol === 'https:' ? 443 : 80)) });
  return {
    url: `${t.protocol}//127.0.0.1:${pass.port}`,
    port: pass.port,
    get connections() {
      return pass.connections;
    },
    close: async () => {
      pass.shut();
      pass.cut();
    },
    open: () => pass.open(),
  };
}
