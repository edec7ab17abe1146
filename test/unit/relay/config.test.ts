import { ConfigError, loadConfig, parseDuration, relayConfig } from '../../../in-cluster-relay/config.js';

const minimal = { EVENT_BUS_NAME: 'instance-manager', AWS_REGION: 'us-west-2', CLUSTER_NAME: 'prod-1', POD_NAME: 'relay-abc' };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('relay config', () => {
  it('parses durations', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });

  it('has sensible defaults', () => {
    const c = loadConfig(minimal);
    expect(c).toMatchObject({
      eventBusName: 'instance-manager',
      region: 'us-west-2',
      clusterName: 'prod-1',
      identity: 'relay-abc',
      namespaces: [],
      defaultSubnets: [],
      resyncPeriodMs: 300_000,
      healthPort: 8080,
      leaseName: 'instance-manager-relay',
      leaseNamespace: 'instance-manager',
      leaseDurationMs: 15_000,
    });
    expect(c.awsEndpointUrl).toBeUndefined();
  });

  it('reads lists and the endpoint override', () => {
    const c = loadConfig({
      ...minimal,
      WATCH_NAMESPACES: 'team-a, team-b',
      DEFAULT_SUBNETS: 'subnet-1,subnet-2',
      RESYNC_PERIOD: '30s',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      HEALTH_PORT: '0',
    });
    expect(c.namespaces).toEqual(['team-a', 'team-b']);
    expect(c.defaultSubnets).toEqual(['subnet-1', 'subnet-2']);
    expect(c.resyncPeriodMs).toBe(30_000);
    expect(c.awsEndpointUrl).toBe('http://127.0.0.1:5000');
    expect(c.healthPort).toBe(0);
    expect(loadConfig({ ...minimal, AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://b:2' }).awsEndpointUrl).toBe('http://b:2');
  });

  it("identifies the cluster by name, region and account: CLUSTER_REGION (default the bus's region), CLUSTER_ACCOUNT_ID or the bus ARN's account", () => {
    expect(loadConfig(minimal)).toMatchObject({ clusterName: 'prod-1', clusterRegion: 'us-west-2' });
    expect(loadConfig(minimal).clusterAccountId).toBeUndefined();
    expect(loadConfig({ ...minimal, CLUSTER_REGION: 'eu-west-1', CLUSTER_ACCOUNT_ID: '111122223333' })).toMatchObject({ clusterRegion: 'eu-west-1', clusterAccountId: '111122223333' });
    expect(loadConfig({ ...minimal, EVENT_BUS_NAME: 'arn:aws:events:us-west-2:444455556666:event-bus/instance-manager' })).toMatchObject({ clusterAccountId: '444455556666' });
    expect(problems({ ...minimal, CLUSTER_REGION: 'west', CLUSTER_ACCOUNT_ID: '42' })).toEqual([
      'CLUSTER_REGION="west" is not an AWS region name (e.g. us-west-2)',
      'CLUSTER_ACCOUNT_ID="42" is not a 12-digit AWS account id',
    ]);
  });

  it('watches Nodes unless WATCH_NODES=false, and names a value that is neither', () => {
    expect(loadConfig(minimal).watchNodes).toBe(true);
    expect(loadConfig({ ...minimal, WATCH_NODES: 'false' }).watchNodes).toBe(false);
    expect(loadConfig({ ...minimal, WATCH_NODES: 'TRUE' }).watchNodes).toBe(true);
    expect(problems({ ...minimal, WATCH_NODES: 'maybe' })).toEqual([expect.stringMatching(/^WATCH_NODES="maybe" must be true or false/)]);
  });

  it('names every missing required variable at once', () => {
    const p = problems({});
    expect(p.join('\n')).toMatch(/EVENT_BUS_NAME is required/);
    expect(p.join('\n')).toMatch(/AWS_REGION is required/);
    expect(p.join('\n')).toMatch(/CLUSTER_NAME is required/);
    expect(p.join('\n')).toMatch(/POD_NAME is required/);
  });

  it('names each invalid variable and value', () => {
    const p = problems({
      ...minimal,
      RESYNC_PERIOD: 'often',
      WATCH_NAMESPACES: 'Team_A',
      DEFAULT_SUBNETS: 'sn-1',
      HEALTH_PORT: '70000',
      AWS_REGION: 'mars',
      AWS_ENDPOINT_URL: 'localhost:5000',
      LEASE_DURATION: '5s',
      LEASE_RENEW_DEADLINE: '10s',
    });
    const text = p.join('\n');
    expect(text).toMatch(/RESYNC_PERIOD="often"/);
    expect(text).toMatch(/WATCH_NAMESPACES: "Team_A"/);
    expect(text).toMatch(/DEFAULT_SUBNETS: "sn-1"/);
    expect(text).toMatch(/HEALTH_PORT="70000"/);
    expect(text).toMatch(/AWS_REGION="mars"/);
    expect(text).toMatch(/AWS_ENDPOINT_URL="localhost:5000"/);
    expect(text).toMatch(/LEASE_RENEW_DEADLINE must be shorter than LEASE_DURATION/);
    expect(new ConfigError(p).message).toMatch(/^invalid relay configuration:\n  - /);
  });

  it('builds an in-process config from the required values', () => {
    const c = relayConfig({ eventBusName: 'b', clusterName: 'c', identity: 'i', resyncPeriodMs: 1000 });
    expect(c).toMatchObject({ eventBusName: 'b', clusterName: 'c', identity: 'i', resyncPeriodMs: 1000, region: 'us-west-2' });
  });
});
