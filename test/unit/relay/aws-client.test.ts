// The relay's own AWS calls (in-cluster-relay/aws/): credentials per source and the PutEvents client, against a
// local HTTP server standing in for the credential endpoint and EventBridge (unit level; the integration test
// relay-aws.test.ts runs them against moto).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AwsCredentialsError, credentialSource, relayCredentials } from '../../../in-cluster-relay/aws/credentials.js';
import { EventBridgeError, putEventsClient } from '../../../in-cluster-relay/aws/put-events.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function server(answer: (seen: Seen, n: number) => { status: number; body: string; headers?: Record<string, string> }) {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      const a = answer(s, seen.length);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  return { url, seen, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const tmpFile = (content: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relay-aws-')), 'token');
  fs.writeFileSync(file, content);
  return file;
};

describe('relay AWS credentials', () => {
  it('picks the source in the SDK chain order', () => {
    expect(credentialSource({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_WEB_IDENTITY_TOKEN_FILE: 'f', AWS_ROLE_ARN: 'r' })).toBe('environment');
    expect(credentialSource({ AWS_WEB_IDENTITY_TOKEN_FILE: 'f', AWS_ROLE_ARN: 'r', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1/' })).toBe('web identity');
    expect(credentialSource({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' })).toBe('container');
    expect(credentialSource({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/creds' })).toBe('container');
    expect(credentialSource({})).toBe('sdk chain');
  });

  it('takes keys from the environment', async () => {
    const get = relayCredentials({ region: 'us-west-2', env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 't' } });
    await expect(get()).resolves.toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 't' });
  });

  it('EKS Pod Identity: GETs the full URI with the token file as authorization, and refreshes before expiry', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const agent = await server((_, n) => ({
      status: 200,
      body: JSON.stringify({ AccessKeyId: `AKID${n}`, SecretAccessKey: 's', Token: 't', Expiration: new Date(now + 60 * 60_000).toISOString() }),
    }));
    try {
      const token = tmpFile('pod-identity-token\n');
      const get = relayCredentials({
        region: 'us-west-2',
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: token },
        now: () => now,
      });
      const [first, again] = await Promise.all([get(), get()]);
      expect(first).toMatchObject({ accessKeyId: 'AKID1', secretAccessKey: 's', sessionToken: 't' });
      expect(again).toBe(first);
      expect(agent.seen).toHaveLength(1);
      expect(agent.seen[0]).toMatchObject({ method: 'GET', url: '/v1/credentials' });
      expect(agent.seen[0]!.headers.authorization).toBe('pod-identity-token');
      now += 56 * 60_000; // within 5 minutes of expiry
      expect((await get()).accessKeyId).toBe('AKID2');
    } finally {
      await agent.close();
    }
  });

  it('names the failing source and the answer when the container endpoint refuses', async () => {
    const agent = await server(() => ({ status: 403, body: JSON.stringify({ Code: 'AccessDenied', Message: 'token not valid' }) }));
    try {
      const get = relayCredentials({ region: 'us-west-2', env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/x`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok' } });
      const error = await get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AwsCredentialsError);
      expect(error).toMatchObject({ source: 'container', retryable: false });
      expect((error as Error).message).toContain('HTTP 403: token not valid');
    } finally {
      await agent.close();
    }
  });

  it('refuses plain http to a host that is neither loopback nor an AWS agent', async () => {
    const get = relayCredentials({ region: 'us-west-2', env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://example.com/creds' } });
    await expect(get()).rejects.toThrow(/plain http is allowed only to loopback/);
  });

  it('IRSA: posts AssumeRoleWithWebIdentity with the token file and reads the credentials', async () => {
    const sts = await server(() => ({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>sec</SecretAccessKey><SessionToken>tok&amp;en</SessionToken><Expiration>2026-01-01T01:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
    }));
    try {
      const get = relayCredentials({
        region: 'us-west-2',
        env: { AWS_WEB_IDENTITY_TOKEN_FILE: tmpFile('jwt.jwt.jwt'), AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/relay', AWS_ROLE_SESSION_NAME: 's1', AWS_ENDPOINT_URL_STS: sts.url },
      });
      await expect(get()).resolves.toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'sec', sessionToken: 'tok&en', expiration: new Date('2026-01-01T01:00:00Z') });
      const params = new URLSearchParams(sts.seen[0]!.body);
      expect(Object.fromEntries(params)).toEqual({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: 'arn:aws:iam::123456789012:role/relay',
        RoleSessionName: 's1',
        WebIdentityToken: 'jwt.jwt.jwt',
      });
      expect(sts.seen[0]!.headers.authorization).toBeUndefined();
    } finally {
      await sts.close();
    }
  });

  it('IRSA: an STS refusal names its code and the role', async () => {
    const sts = await server(() => ({
      status: 400,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>',
    }));
    try {
      const get = relayCredentials({ region: 'us-west-2', env: { AWS_WEB_IDENTITY_TOKEN_FILE: tmpFile('jwt'), AWS_ROLE_ARN: 'arn:aws:iam::1:role/r', AWS_ENDPOINT_URL: sts.url } });
      await expect(get()).rejects.toThrow(/arn:aws:iam::1:role\/r refused: AccessDenied: Not authorized/);
    } finally {
      await sts.close();
    }
  });

  it('IRSA: a missing token file is named', async () => {
    const get = relayCredentials({ region: 'us-west-2', env: { AWS_WEB_IDENTITY_TOKEN_FILE: '/nonexistent/token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' } });
    await expect(get()).rejects.toThrow(/cannot read AWS_WEB_IDENTITY_TOKEN_FILE \/nonexistent\/token/);
  });
});

describe('relay PutEvents client', () => {
  const credentials = async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'session' });
  const entry = { Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'bus' };

  it('sends one signed JSON 1.1 POST and returns the answer', async () => {
    const eb = await server(() => ({ status: 200, body: JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }) }));
    const client = putEventsClient({ region: 'eu-west-1', endpoint: eb.url, credentials });
    try {
      await expect(client.putEvents([entry])).resolves.toEqual({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
      const [req] = eb.seen;
      expect(req).toMatchObject({ method: 'POST', url: '/' });
      expect(JSON.parse(req!.body)).toEqual({ Entries: [entry] });
      expect(req!.headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents', 'x-amz-security-token': 'session' });
      expect(req!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/events\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/);
    } finally {
      client.close();
      await eb.close();
    }
  });

  it('tries a throttled or failing call again, up to its attempts', async () => {
    const eb = await server((_, n) =>
      n === 1
        ? { status: 400, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) }
        : n === 2
          ? { status: 503, body: '' }
          : { status: 200, body: JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: 'e-3' }] }) },
    );
    const client = putEventsClient({ region: 'us-west-2', endpoint: eb.url, credentials, retryBackoff: { initialMs: 1, maxMs: 2 } });
    try {
      await expect(client.putEvents([entry])).resolves.toMatchObject({ Entries: [{ EventId: 'e-3' }] });
      expect(eb.seen).toHaveLength(3);
    } finally {
      client.close();
      await eb.close();
    }
  });

  it('throws a typed error named by the error code, at once for a client error', async () => {
    const eb = await server(() => ({
      status: 400,
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/coral/', 'x-amzn-requestid': 'req-1' },
      body: JSON.stringify({ __type: 'com.amazonaws.events#ResourceNotFoundException', message: 'Event bus bus does not exist.' }),
    }));
    const client = putEventsClient({ region: 'us-west-2', endpoint: eb.url, credentials, retryBackoff: { initialMs: 1, maxMs: 2 } });
    try {
      const error = await client.putEvents([entry]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventBridgeError);
      expect(error).toMatchObject({ name: 'ResourceNotFoundException', code: 'ResourceNotFoundException', statusCode: 400, requestId: 'req-1', message: 'Event bus bus does not exist.' });
      expect(eb.seen).toHaveLength(1);
    } finally {
      client.close();
      await eb.close();
    }
  });

  it('an unreachable endpoint fails after its attempts with the network error', async () => {
    const eb = await server(() => ({ status: 200, body: '{}' }));
    await eb.close();
    const client = putEventsClient({ region: 'us-west-2', endpoint: eb.url, credentials, retryBackoff: { initialMs: 1, maxMs: 2 } });
    try {
      await expect(client.putEvents([entry])).rejects.toMatchObject({ name: 'HttpRequestError', message: expect.stringContaining('ECONNREFUSED') });
    } finally {
      client.close();
    }
  });
});
