// The relay's own AWS calls against moto: IRSA's unsigned STS AssumeRoleWithWebIdentity (as the relay's credential
// module makes it) and PutEvents (JSON 1.1, signed with those temporary credentials) to a bus moto created.
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { relayCredentials } from '../../in-cluster-relay/aws-credentials.js';
import { putEventsClient } from '../../in-cluster-relay/put-events.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';

const REGION = 'us-west-2';
const BUS = 'relay-aws';

describe('relay AWS calls against moto', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed({ kube: false });
    const admin = new EventBridgeClient({ region: REGION, endpoint: bed.moto!.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await admin.send(new CreateEventBusCommand({ Name: BUS }));
    admin.destroy();
  }, 60_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it('IRSA: temporary credentials from STS, then PutEvents signed with them', async () => {
    const tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relay-irsa-')), 'token');
    fs.writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n');
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/relay', AWS_ENDPOINT_URL: bed.moto!.url };
    const credentials = relayCredentials({ region: REGION, env });
    const got = await credentials();
    expect(got.accessKeyId).toMatch(/^ASIA/);
    expect(got.sessionToken).toBeTruthy();
    expect(got.expiration!.getTime()).toBeGreaterThan(Date.now());

    const client = putEventsClient({ region: REGION, endpoint: bed.moto!.url, credentials });
    try {
      const entries = Array.from({ length: 10 }, (_, i) => ({ Source: 'instancemgr.keikoproj.io', DetailType: 'Relay Test', Detail: JSON.stringify({ i }), EventBusName: BUS }));
      const answer = await client.putEvents(entries);
      expect(answer.FailedEntryCount).toBe(0);
      expect(answer.Entries).toHaveLength(10);
      for (const e of answer.Entries!) expect(e.EventId).toBeTruthy();
    } finally {
      client.close();
    }
  }, 30_000);
});
