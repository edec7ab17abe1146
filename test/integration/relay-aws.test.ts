// The relay's own AWS calls (in-cluster-relay/aws/: SigV4 over node's https, no SDK client) against moto, the
// test bed's AWS: PutEvents delivering to a bus's rule, EventBridge's refusals as typed errors, and IRSA's
// AssumeRoleWithWebIdentity (moto's STS) feeding the signed call. EKS Pod Identity's agent has no emulator; its
// documented contract is covered by test/unit/relay/aws-client.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { DETAIL_TYPE, EVENT_SOURCE, type PutEventsEntry } from '../../core/events/index.js';
import { relayCredentials } from '../../in-cluster-relay/aws/credentials.js';
import { EventBridgeError, putEventsClient } from '../../in-cluster-relay/aws/put-events.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { observeBus, type BusObserver } from '../support/relay/bus-observer.js';

const REGION = 'us-west-2';
const BUS = 'relay-aws-it';

describe('relay AWS calls on moto', () => {
  let bed: TestBed;
  let bus: BusObserver;

  beforeAll(async () => {
    bed = await startTestBed({ kube: false });
    bus = await observeBus({ endpoint: bed.moto!.url, region: REGION, busName: BUS });
  });
  afterAll(async () => {
    await bus?.stop();
    await bed?.stop();
  });

  const entry = (name: string, busName = BUS): PutEventsEntry => ({
    Source: EVENT_SOURCE,
    DetailType: DETAIL_TYPE,
    EventBusName: busName,
    Detail: JSON.stringify({ group: { name } }),
  });
  const named = (name: string) => bus.events.filter((e) => (e.detail as unknown as { group: { name: string } }).group.name === name);

  it('PutEvents with environment keys reaches the rule on the bus', async () => {
    const client = putEventsClient({ region: REGION, endpoint: bed.moto!.url, env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } });
    try {
      const answer = await client.putEvents([entry('env-1'), entry('env-2')]);
      expect(answer.FailedEntryCount).toBe(0);
      expect(answer.Entries).toHaveLength(2);
      expect(answer.Entries!.every((e) => typeof e.EventId === 'string' && !e.ErrorCode)).toBe(true);
      await bus.waitFor(() => named('env-1').length === 1 && named('env-2').length === 1, 15_000, 'both events on the queue');
      expect(named('env-1')[0]).toMatchObject({ source: EVENT_SOURCE, 'detail-type': DETAIL_TYPE });
    } finally {
      client.close();
    }
  });

  it('IRSA: credentials from AssumeRoleWithWebIdentity sign the PutEvents', async () => {
    const token = path.join(bed.runDir, 'web-identity-token');
    fs.writeFileSync(token, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6aW5zdGFuY2UtbWFuYWdlcjpyZWxheSJ9.c2ln');
    const env = {
      AWS_WEB_IDENTITY_TOKEN_FILE: token,
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/instance-manager-relay',
      AWS_ENDPOINT_URL: bed.moto!.url,
    };
    const credentials = relayCredentials({ region: REGION, env });
    const got = await credentials();
    expect(got.accessKeyId).toMatch(/^ASIA/);
    expect(got.sessionToken).toBeTruthy();
    expect(got.expiration!.getTime()).toBeGreaterThan(Date.now());

    const client = putEventsClient({ region: REGION, endpoint: bed.moto!.url, credentials });
    try {
      const answer = await client.putEvents([entry('irsa-1')]);
      expect(answer.FailedEntryCount).toBe(0);
      await bus.waitFor(() => named('irsa-1').length === 1, 15_000, 'the event signed with web-identity credentials');
    } finally {
      client.close();
    }
  });

  it('a refused call is a typed error named by EventBridge; a refused entry is reported in the answer', async () => {
    const client = putEventsClient({ region: REGION, endpoint: bed.moto!.url, env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } });
    try {
      // More than 10 entries: EventBridge refuses the whole call.
      const error = await client.putEvents(Array.from({ length: 11 }, (_, i) => entry(`too-many-${i}`))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventBridgeError);
      expect(error).toMatchObject({ name: 'ValidationException', code: 'ValidationException', statusCode: 400 });
      expect((error as Error).message).toMatch(/less than or equal to 10/);

      const answer = await client.putEvents([{ ...entry('malformed'), Detail: '{not json' }, entry('fine')]);
      expect(answer.FailedEntryCount).toBe(1);
      expect(answer.Entries![0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
      expect(answer.Entries![1]!.EventId).toBeTruthy();
      await bus.waitFor(() => named('fine').length === 1, 15_000, 'the accepted entry');
      expect(named('too-many-0')).toHaveLength(0);
    } finally {
      client.close();
    }
  });
});
