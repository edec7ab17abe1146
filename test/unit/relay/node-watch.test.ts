import { NODE_READY_DETAIL_TYPE, isNodeReady, type PutEventsEntry } from '../../../core/events/index.js';
import type { KubeRest } from '../../../core/kube/rest.js';
import { createLogger } from '../../../core/log/index.js';
import type { WatchClient, WatchRequest } from '../../../in-cluster-relay/kube.js';
import { NODE_SELECTOR, NodeReadiness, type NodeView } from '../../../in-cluster-relay/node-readiness.js';
import { NodeWatch } from '../../../in-cluster-relay/node-watch.js';

const silent = createLogger({}, { sink: () => {} });
const LABELS = { 'instancemgr.keikoproj.io/namespace': 'team-a', 'instancemgr.keikoproj.io/instancegroup': 'web' };
const node = (name: string, ready: boolean, labels: Record<string, string> = LABELS): NodeView => ({
  metadata: { name, labels },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const web = { namespace: 'team-a', name: 'web' };

describe('the relay tells a Node that became Ready from one that merely changed', () => {
  it('publishes for a Node added Ready and for a Node that turns Ready, never for one that stays Ready', () => {
    const r = new NodeReadiness();
    expect(r.event('ADDED', node('a', true))).toEqual({ node: 'a', group: web });
    expect(r.event('MODIFIED', node('a', true))).toBeUndefined();
    expect(r.event('ADDED', node('b', false))).toBeUndefined();
    expect(r.event('MODIFIED', node('b', false))).toBeUndefined();
    expect(r.event('MODIFIED', node('b', true))).toEqual({ node: 'b', group: web });
    expect(r.event('MODIFIED', node('b', true))).toBeUndefined();
    // Ready → NotReady → Ready again (a kubelet restart) is a new join for the waits.
    r.event('MODIFIED', node('b', false));
    expect(r.event('MODIFIED', node('b', true))).toEqual({ node: 'b', group: web });
  });

  it('remembers only Nodes that are not Ready, and forgets deleted ones', () => {
    const r = new NodeReadiness();
    r.event('ADDED', node('a', true));
    r.event('ADDED', node('b', false));
    r.event('ADDED', node('c', false));
    expect(r.remembered).toBe(2);
    r.event('DELETED', node('c', false));
    expect(r.remembered).toBe(1);
  });

  it('sends nothing for the first list, but reports Nodes that turned Ready while the watch was down at a relist', () => {
    const r = new NodeReadiness();
    const listedPage = (nodes: Parameters<NodeReadiness['listed']>[0][]) => nodes.map((n) => r.listed(n)).filter((x) => x !== undefined);
    r.listStarted();
    expect(listedPage([node('a', true), node('b', false), node('gone', false)])).toEqual([]);
    r.listEnded();
    r.listStarted();
    expect(listedPage([node('a', true), node('b', true)])).toEqual([{ node: 'b', group: web }]);
    r.listEnded();
    expect(r.remembered).toBe(0);
  });

  it('a Ready Node without both group labels is not published', () => {
    const r = new NodeReadiness();
    expect(r.event('ADDED', node('x', true, { 'instancemgr.keikoproj.io/instancegroup': 'web' }))).toBeUndefined();
  });
});

describe('the Node watch', () => {
  function harness(leading: boolean, listed: NodeView[][] = [[node('old', true), node('joining', false)]]) {
    const lists: Record<string, unknown>[] = [];
    const requests: WatchRequest[] = [];
    const sent: PutEventsEntry[][] = [];
    const rest = {
      get: async (_path: string, query: Record<string, unknown>) => {
        lists.push(query);
        const items = listed[Math.min(lists.length, listed.length) - 1]!;
        return { items, metadata: { resourceVersion: String(9 + lists.length) } };
      },
    } as unknown as KubeRest;
    const watch: WatchClient = {
      watch: (request) => {
        requests.push(request);
        return () => request.onDone(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      },
      close: async () => {},
    };
    const published: string[] = [];
    const nodeWatch = new NodeWatch({
      rest,
      watch,
      cluster: { name: 'blue', region: 'us-west-2' },
      eventBusName: 'instance-manager',
      putEvents: async (entries) => {
        sent.push(entries);
        return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'e' })) };
      },
      isLeading: () => leading,
      logger: silent,
      backoff: { initialMs: 10, maxMs: 20 },
      timeoutSeconds: 60,
      idleTimeoutMs: 60_000,
      pageSize: 100,
      onPublished: (r) => published.push(r.node),
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    return { nodeWatch, lists, requests, sent, published };
  }
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((r) => setTimeout(r, 2));
  };

  it('lists and watches only Nodes with the group label, and sends one event per Node that becomes Ready', async () => {
    const h = harness(true);
    h.nodeWatch.start();
    await until(() => h.requests.length === 1);
    expect(h.lists[0]).toMatchObject({ labelSelector: NODE_SELECTOR });
    expect(h.requests[0]!.query).toMatchObject({ labelSelector: NODE_SELECTOR, resourceVersion: '10' });
    h.requests[0]!.onEvent('MODIFIED', { ...node('joining', true), metadata: { ...node('joining', true).metadata, resourceVersion: '11' } });
    h.requests[0]!.onEvent('MODIFIED', node('old', true));
    await until(() => h.published.length === 1);
    expect(h.sent).toHaveLength(1);
    const [entry] = h.sent[0]!;
    expect(entry).toMatchObject({ DetailType: NODE_READY_DETAIL_TYPE, EventBusName: 'instance-manager' });
    const detail = JSON.parse(entry!.Detail);
    expect(isNodeReady(detail)).toBe(true);
    expect(detail).toEqual({ version: 1, cluster: { name: 'blue', region: 'us-west-2' }, group: web, node: 'joining', sentAt: '2026-12-01T00:00:00.000Z' });
    await h.nodeWatch.stop();
  });

  it('relists when the resourceVersion expired and sends an event for a Node that became Ready in between', async () => {
    const h = harness(true, [
      [node('old', true), node('joining', false), node('removed', false)],
      [node('old', true), node('joining', true)],
    ]);
    h.nodeWatch.start();
    await until(() => h.requests.length === 1);
    expect(h.nodeWatch.readiness.remembered).toBe(2);
    h.requests[0]!.onEvent('ERROR', { code: 410, message: 'too old resource version' });
    await until(() => h.requests.length === 2);
    expect(h.lists).toHaveLength(2);
    expect(h.lists[1]).toMatchObject({ labelSelector: NODE_SELECTOR });
    expect(h.requests[1]!.query).toMatchObject({ labelSelector: NODE_SELECTOR, resourceVersion: '11' });
    await until(() => h.published.length === 1);
    expect(h.published).toEqual(['joining']);
    expect(h.nodeWatch.readiness.remembered).toBe(0);
    await h.nodeWatch.stop();
  });

  it('a follower watches (so it knows the Nodes when it takes over) but sends nothing', async () => {
    const h = harness(false);
    h.nodeWatch.start();
    await until(() => h.requests.length === 1);
    h.requests[0]!.onEvent('MODIFIED', node('joining', true));
    await new Promise((r) => setTimeout(r, 20));
    expect(h.sent).toEqual([]);
    await h.nodeWatch.stop();
  });
});
