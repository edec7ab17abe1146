import { jest } from '@jest/globals';
import { EVENT_SOURCE, HEARTBEAT_DETAIL_TYPE, isRelayHeartbeat, type PutEventsEntry } from '../../../core/events/index.js';
import { createLogger } from '../../../core/log/index.js';
import { loadConfig } from '../../../in-cluster-relay/config.js';
import { Heartbeat } from '../../../in-cluster-relay/heartbeat.js';
import { createRelayMetrics } from '../../../in-cluster-relay/metrics.js';
import type { PutEventsResult } from '../../../in-cluster-relay/eventbridge.js';

function setup(result: () => Promise<PutEventsResult>) {
  const sent: PutEventsEntry[][] = [];
  const logs: string[] = [];
  const metrics = createRelayMetrics();
  const heartbeat = new Heartbeat({
    periodMs: 60_000,
    clusterName: 'prod-1',
    identity: 'relay-abc',
    eventBusName: 'instance-manager',
    putEvents: (entries) => (sent.push(entries), result()),
    logger: createLogger({}, { level: 'debug', sink: (l) => logs.push(l) }),
    metrics,
    now: () => new Date('2026-01-02T03:04:05.000Z'),
  });
  return { heartbeat, sent, logs, metrics };
}

describe('relay heartbeat', () => {
  it('sends one "Relay Heartbeat" event naming the cluster and the leader', async () => {
    const { heartbeat, sent, metrics } = setup(async () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }));
    await heartbeat.beat();
    expect(sent).toHaveLength(1);
    const [entry] = sent[0]!;
    expect(entry).toMatchObject({ Source: EVENT_SOURCE, DetailType: HEARTBEAT_DETAIL_TYPE, EventBusName: 'instance-manager' });
    const detail: unknown = JSON.parse(entry!.Detail);
    expect(isRelayHeartbeat(detail)).toBe(true);
    expect(detail).toEqual({ version: 1, cluster: { name: 'prod-1' }, identity: 'relay-abc', sentAt: '2026-01-02T03:04:05.000Z' });
    expect(metrics.render()).toContain('relay_heartbeats_total{result="ok"} 1');
  });

  it('counts and logs a failed or rejected beat without throwing', async () => {
    const failing = setup(async () => Promise.reject(new Error('AccessDeniedException')));
    await expect(failing.heartbeat.beat()).resolves.toBeUndefined();
    const rejected = setup(async () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }));
    await rejected.heartbeat.beat();
    for (const s of [failing, rejected]) {
      expect(s.metrics.render()).toContain('relay_heartbeats_total{result="error"} 1');
      expect(s.logs.map((l) => JSON.parse(l).message)).toContain('heartbeat not delivered; the next one retries');
    }
  });

  it('beats every period between start and stop', async () => {
    jest.useFakeTimers();
    try {
      const { heartbeat, sent } = setup(async () => ({ FailedEntryCount: 0 }));
      heartbeat.start();
      heartbeat.start();
      await jest.advanceTimersByTimeAsync(3 * 60_000);
      expect(sent).toHaveLength(3);
      heartbeat.stop();
      await jest.advanceTimersByTimeAsync(5 * 60_000);
      expect(sent).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('is configured by HEARTBEAT_PERIOD (default 5m)', () => {
    const env = { EVENT_BUS_NAME: 'b', AWS_REGION: 'us-west-2', CLUSTER_NAME: 'c', POD_NAME: 'p' };
    expect(loadConfig(env).heartbeatPeriodMs).toBe(300_000);
    expect(loadConfig({ ...env, HEARTBEAT_PERIOD: '1m' }).heartbeatPeriodMs).toBe(60_000);
    expect(() => loadConfig({ ...env, HEARTBEAT_PERIOD: '10ms' })).toThrow(/HEARTBEAT_PERIOD/);
  });
});
