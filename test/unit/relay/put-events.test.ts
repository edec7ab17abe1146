// The relay's PutEvents client (in-cluster-relay/put-events.ts, aws-http.ts) against a local HTTP server standing in
// for EventBridge: the signature (against AWS's SigV4 test vector and @smithy/signature-v4 for what was actually
// sent), error mapping and retries, and the connection behaviour the relay's outage tests rely on.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import type { PutEventsEntry } from '../../../core/events/index.js';
import { HttpRequestError } from '../../../in-cluster-relay/aws-http.js';
import { AwsCredentialsError } from '../../../in-cluster-relay/aws-credentials.js';
import { entryOutcomes } from '../../../in-cluster-relay/eventbridge.js';
import { EventBridgeError, putEventsClient, type PutEventsClient } from '../../../in-cluster-relay/put-events.js';
import { recordingServer, type Seen } from '../../support/relay/recording-server.js';

const ENTRY: PutEventsEntry = { Source: 'instancemgr.keikoproj.io', DetailType: 'InstanceGroup Change', Detail: '{"name":"ü  b"}', EventBusName: 'bus' };
const okAnswer = (entries = 1) => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ FailedEntryCount: 0, Entries: Array.from({ length: entries }, (_, i) => ({ EventId: `id-${i}` })) }) });
const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const fast = { initialMs: 1, maxMs: 5 };

const clients: PutEventsClient[] = [];
function client(endpoint: string, options: Partial<Parameters<typeof putEventsClient>[0]> = {}): PutEventsClient {
  const c = putEventsClient({ region: 'us-west-2', endpoint, credentials: async () => creds, retryBackoff: fast, ...options });
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** The Authorization @smithy/signature-v4 (the SDK's signer) computes for a request as it arrived. */
async function sdkAuthorization(seen: Seen, host: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const signer = new SignatureV4({ service: 'events', region: 'us-west-2', sha256: Sha256, credentials, applyChecksum: false });
  const date = seen.headers['x-amz-date'] as string;
  const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  const signedNames = /SignedHeaders=([^,]+)/.exec(seen.headers.authorization as string)![1]!.split(';');
  const headers = Object.fromEntries(signedNames.map((n) => [n, String(seen.headers[n])]));
  const request = new HttpRequest({ method: seen.method, protocol: 'http:', hostname: host.split(':')[0]!, port: Number(host.split(':')[1]), path: seen.url, headers, body: seen.body });
  return (await signer.sign(request, { signingDate })).headers.authorization;
}

describe('SigV4 signing (aws4)', () => {
  it("matches AWS's SigV4 test suite vector get-vanilla", () => {
    const signed = aws4.sign(
      { method: 'GET', host: 'example.amazonaws.com', path: '/', service: 'service', region: 'us-east-1', headers: { 'X-Amz-Date': '20150830T123600Z' } },
      creds,
    );
    expect(signed.headers!.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('sends the JSON 1.1 PutEvents request, signed as the SDK signs it (host with port, session token)', async () => {
    const bus = await recordingServer(() => okAnswer());
    try {
      const session = { ...creds, sessionToken: 'token/with+chars=' };
      for (const credentials of [creds, session]) {
        await client(bus.url, { credentials: async () => credentials }).putEvents([ENTRY]);
        const seen = bus.seen.at(-1)!;
        expect(seen).toMatchObject({ method: 'POST', url: '/' });
        expect(seen.headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents', host: new URL(bus.url).host });
        expect(JSON.parse(seen.body)).toEqual({ Entries: [ENTRY] });
        expect(seen.headers['x-amz-security-token']).toBe(credentials === session ? session.sessionToken : undefined);
        expect(seen.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/events\/aws4_request, /);
        expect(seen.headers.authorization).toBe(await sdkAuthorization(seen, new URL(bus.url).host, credentials));
      }
    } finally {
      await bus.stop();
    }
  });
});

describe('PutEvents answers and errors', () => {
  it('returns the answer as EventBridge gave it, partial failures included', async () => {
    const answer = { FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] };
    const bus = await recordingServer(() => ({ status: 200, body: JSON.stringify(answer) }));
    try {
      const result = await client(bus.url).putEvents([ENTRY, ENTRY]);
      expect(result).toEqual(answer);
      expect(entryOutcomes(2, result, undefined)).toEqual([{ ok: true, eventId: 'a' }, { ok: false, error: 'InternalFailure: try again' }]);
      expect(bus.seen).toHaveLength(1); // entry failures are the publisher's to resend, not the client's
    } finally {
      await bus.stop();
    }
  });

  it('a client error is thrown at once, named by its code (from __type or x-amzn-errortype)', async () => {
    const bus = await recordingServer((_, n) =>
      n === 1
        ? { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.events#ValidationException', message: 'bad entry' }) }
        : { status: 400, body: '{"Message":"denied"}', headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' } },
    );
    try {
      const c = client(bus.url);
      const first = await c.putEvents([ENTRY]).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(EventBridgeError);
      expect(first).toMatchObject({ name: 'ValidationException', code: 'ValidationException', message: 'bad entry', statusCode: 400, requestId: 'req-1' });
      await expect(c.putEvents([ENTRY])).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'denied', statusCode: 400 });
      expect(bus.seen).toHaveLength(2);
      expect(entryOutcomes(1, undefined, first)).toEqual([{ ok: false, error: 'ValidationException: bad entry' }]);
    } finally {
      await bus.stop();
    }
  });

  it('throttling and 5xx are retried (3 attempts in all), then thrown', async () => {
    const bus = await recordingServer((_, n) =>
      n <= 2 ? { status: 400, body: JSON.stringify({ __type: 'ThrottlingException', message: 'slow down' }) } : okAnswer(),
    );
    const broken = await recordingServer(() => ({ status: 503, body: '<html>unavailable</html>' }));
    try {
      await expect(client(bus.url).putEvents([ENTRY])).resolves.toMatchObject({ FailedEntryCount: 0 });
      expect(bus.seen).toHaveLength(3);
      await expect(client(broken.url).putEvents([ENTRY])).rejects.toMatchObject({ name: 'HTTP503', statusCode: 503, message: '<html>unavailable</html>' });
      expect(broken.seen).toHaveLength(3);
    } finally {
      await bus.stop();
      await broken.stop();
    }
  });

  it('a 200 that is not JSON is an InvalidResponse', async () => {
    const bus = await recordingServer(() => ({ status: 200, body: 'not json' }));
    try {
      await expect(client(bus.url).putEvents([ENTRY])).rejects.toMatchObject({ name: 'InvalidResponse', statusCode: 200 });
    } finally {
      await bus.stop();
    }
  });

  it('credentials that cannot be had fail the call with their typed error', async () => {
    const c = client('http://127.0.0.1:9', {
      credentials: async () => {
        throw new AwsCredentialsError('no token', 'web identity');
      },
    });
    await expect(c.putEvents([ENTRY])).rejects.toBeInstanceOf(AwsCredentialsError);
  });
});

describe('connections', () => {
  it('waits for a slow answer within the idle time-out: one request, no abandoned duplicate', async () => {
    const bus = await recordingServer(() => ({ ...okAnswer(), afterMs: 400 }));
    try {
      await expect(client(bus.url, { idleTimeoutMs: 2_000 }).putEvents([ENTRY])).resolves.toMatchObject({ FailedEntryCount: 0 });
      expect(bus.seen).toHaveLength(1);
    } finally {
      await bus.stop();
    }
  });

  it('an idle time-out fails the call without piling another request on the slow server, and destroys the socket', async () => {
    const bus = await recordingServer((_, n) => (n === 1 ? { hang: true } : okAnswer()));
    try {
      const c = client(bus.url, { idleTimeoutMs: 300 });
      const error = await c.putEvents([ENTRY]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpRequestError);
      expect(error).toMatchObject({ failure: 'idle-timeout' });
      expect(bus.seen).toHaveLength(1);
      await c.putEvents([ENTRY]);
      expect(bus.connections).toBe(2); // the timed-out socket was not reused
    } finally {
      await bus.stop();
    }
  });

  it('reuses a kept-alive connection, and survives the server closing it while idle', async () => {
    const bus = await recordingServer(() => okAnswer());
    try {
      const c = client(bus.url);
      await c.putEvents([ENTRY]);
      await c.putEvents([ENTRY]);
      expect(bus.connections).toBe(1);
      bus.dropIdle();
      await new Promise((r) => setTimeout(r, 50));
      await c.putEvents([ENTRY]);
      expect(bus.connections).toBe(2);
    } finally {
      await bus.stop();
    }
  });

  it('unreachable (refused, connections cut) fails fast with a network error, and works again once reachable', async () => {
    const bus = await recordingServer((_, n) => (n === 2 ? { hang: true } : okAnswer()));
    try {
      const c = client(bus.url);
      await c.putEvents([ENTRY]);
      const inFlight = c.putEvents([ENTRY]).catch((e: unknown) => e);
      while (bus.seen.length < 2) await new Promise((r) => setTimeout(r, 5));
      await bus.stop(); // cuts the connection of the call in flight and refuses new ones
      const started = performance.now();
      expect(await inFlight).toMatchObject({ name: 'HttpRequestError', failure: 'network' });
      await expect(c.putEvents([ENTRY])).rejects.toMatchObject({ failure: 'network', message: expect.stringMatching(/ECONNREFUSED/) });
      expect(performance.now() - started).toBeLessThan(1_000);
      await bus.start();
      await expect(c.putEvents([ENTRY])).resolves.toMatchObject({ FailedEntryCount: 0 });
    } finally {
      await bus.stop();
    }
  });
});
