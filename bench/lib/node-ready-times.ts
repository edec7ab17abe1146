// When each group's Nodes became Ready, as the relay sees it: the relay's own Node watch (in-cluster-relay/
// node-watch.ts) with a PutEvents that sends nothing, so the figure "last Node Ready → NodesReady True" (issue 17's
// node-join row) starts where the relay's event would. Times are bench/lib/instrument's now(), the watch's clock.
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { createLogger } from '../../core/log/index.js';
import { restClient, watchClient } from '../../in-cluster-relay/kube.js';
import { NodeWatch } from '../../in-cluster-relay/node-watch.js';
import { now } from './instrument.js';

export class NodeReadyTimes {
  private readonly last = new Map<string, number>();
  private readonly watching: ReturnType<typeof watchClient>;
  private readonly rest: ReturnType<typeof restClient>;
  private readonly nodeWatch: NodeWatch;

  constructor(kubeconfigPath: string) {
    const connection = connectionFromKubeconfig(kubeconfigPath);
    this.rest = restClient(connection);
    this.watching = watchClient(connection);
    this.nodeWatch = new NodeWatch({
      rest: this.rest,
      watch: this.watching,
      cluster: { name: 'bench' },
      eventBusName: 'none',
      putEvents: async () => ({ FailedEntryCount: 0 }),
      isLeading: () => true,
      logger: createLogger({}, { level: 'error' }),
      backoff: { initialMs: 200, maxMs: 2000 },
      timeoutSeconds: 300,
      idleTimeoutMs: 90_000,
      pageSize: 500,
      onPublished: (ready) => this.last.set(`${ready.group.namespace}/${ready.group.name}`, now()),
    });
    this.nodeWatch.start();
  }

  /** When the last of the group's Nodes became Ready (`namespace/name`), if one did since the watch started. */
  lastReadyAt(key: string): number | undefined {
    return this.last.get(key);
  }

  async stop(): Promise<void> {
    await this.nodeWatch.stop();
    await this.watching.close();
    this.rest.close();
  }
}
