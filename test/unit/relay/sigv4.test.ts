import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { amzDate, signRequest, type AwsCredentials } from '../../../in-cluster-relay/aws/sigv4.js';

const AT = new Date('2026-03-04T05:06:07.000Z');

async function smithyAuthorization(url: URL, headers: Record<string, string>, body: string, credentials: AwsCredentials, region: string, service: string) {
  const signer = new SignatureV4({ service, region, sha256: Sha256, credentials });
  const query: Record<string, string | string[]> = {};
  for (const k of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(k);
    query[k] = values.length > 1 ? values : values[0]!;
  }
  const signed = await signer.sign(
    new HttpRequest({ method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query, headers: { ...headers, host: url.host }, body }),
    { signingDate: AT },
  );
  return signed.headers.authorization;
}

describe('relay SigV4 signer', () => {
  const cases: { title: string; url: string; credentials: AwsCredentials; region: string; service: string; body: string }[] = [
    {
      title: 'PutEvents to the regional endpoint',
      url: 'https://events.us-west-2.amazonaws.com/',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      region: 'us-west-2',
      service: 'events',
      body: JSON.stringify({ Entries: [{ Source: 'instancemgr.keikoproj.io', DetailType: 'InstanceGroup Change', Detail: '{"a":"ü  b"}' }] }),
    },
    {
      title: 'temporary credentials (the session token is signed)',
      url: 'https://events.cn-north-1.amazonaws.com.cn/',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/with+chars=' },
      region: 'cn-north-1',
      service: 'events',
      body: '{"Entries":[]}',
    },
    {
      title: 'an endpoint with a port, a path and a query',
      url: 'http://127.0.0.1:5123/base path/x?b=2&a=1&a=0&c=with space',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      region: 'eu-central-1',
      service: 'events',
      body: '',
    },
  ];

  it.each(cases)('matches @smithy/signature-v4: $title', async ({ url, credentials, region, service, body }) => {
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' };
    const ours = signRequest({ method: 'POST', url: new URL(url), headers, body }, credentials, { region, service }, AT);
    expect(ours.authorization).toBe(await smithyAuthorization(new URL(url), headers, body, credentials, region, service));
    expect(ours['x-amz-date']).toBe('20260304T050607Z');
    expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(ours.host).toBe(new URL(url).host);
  });

  it('formats the x-amz-date', () => {
    expect(amzDate(new Date('2026-12-31T23:59:58.123Z'))).toBe('20261231T235958Z');
  });
});
