// The relay's AWS credentials (in-cluster-relay/aws-credentials.ts) per source, against local HTTP servers standing
// in for STS and the EKS Pod Identity Agent: the requests they make, caching, refresh ahead of expiry, typed errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsCredentialsError, credentialSource, relayCredentials, stsEndpoint } from '../../../in-cluster-relay/aws-credentials.js';
import { recordingServer as server } from '../../support/relay/recording-server.js';

const tmpFile = (content: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relay-creds-')), 'token');
  fs.writeFileSync(file, content);
  return file;
};

const stsAnswer = (n: number, expiration: Date) => ({
  status: 200,
  body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials>
  <AccessKeyId>ASIA${n}</AccessKeyId><SecretAccessKey>secret&amp;${n}</SecretAccessKey><SessionToken>token${n}</SessionToken>
  <Expiration>${expiration.toISOString()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
});

describe('relay AWS credentials', () => {
  it('picks the source in the order of the SDK chain in a pod', () => {
    const irsa = { AWS_WEB_IDENTITY_TOKEN_FILE: 'f', AWS_ROLE_ARN: 'r' };
    expect(credentialSource({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', ...irsa })).toBe('environment');
    expect(credentialSource({ AWS_ACCESS_KEY_ID: 'a', ...irsa })).toBe('web identity');
    expect(credentialSource({ ...irsa, AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' })).toBe('web identity');
    expect(credentialSource({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' })).toBe('container');
    expect(credentialSource({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' })).toBe('container');
    expect(credentialSource({})).toBe('instance');
    expect(credentialSource({ AWS_EC2_METADATA_DISABLED: 'true' })).toBe('none');
  });

  it('takes keys from the environment', async () => {
    const get = relayCredentials({ region: 'us-west-2', env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 't' } });
    await expect(get()).resolves.toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 't' });
  });

  it('STS endpoint: the override, else regional, global only for legacy in a legacy region', () => {
    expect(stsEndpoint('us-west-2', {})).toBe('https://sts.us-west-2.amazonaws.com');
    expect(stsEndpoint('cn-north-1', {})).toBe('https://sts.cn-north-1.amazonaws.com.cn');
    expect(stsEndpoint('us-east-1', { AWS_STS_REGIONAL_ENDPOINTS: 'legacy' })).toBe('https://sts.amazonaws.com');
    expect(stsEndpoint('ap-east-1', { AWS_STS_REGIONAL_ENDPOINTS: 'legacy' })).toBe('https://sts.ap-east-1.amazonaws.com');
    expect(stsEndpoint('us-east-1', { AWS_STS_REGIONAL_ENDPOINTS: 'regional' })).toBe('https://sts.us-east-1.amazonaws.com');
    expect(stsEndpoint('us-west-2', { AWS_ENDPOINT_URL: 'http://moto:5000' })).toBe('http://moto:5000');
    expect(stsEndpoint('us-west-2', { AWS_ENDPOINT_URL: 'http://moto:5000', AWS_ENDPOINT_URL_STS: 'http://sts:1' })).toBe('http://sts:1');
  });

  it('IRSA: an unsigned AssumeRoleWithWebIdentity with the token file, cached, refreshed 5 minutes before expiry with the rotated token', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const sts = await server((_, n) => stsAnswer(n, new Date(now + 60 * 60_000)));
    try {
      const token = tmpFile('projected-token-1\n');
      const get = relayCredentials({
        region: 'us-west-2',
        env: { AWS_WEB_IDENTITY_TOKEN_FILE: token, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/relay', AWS_ROLE_SESSION_NAME: 'relay-pod', AWS_ENDPOINT_URL_STS: sts.url },
        now: () => now,
      });
      const [first, same] = await Promise.all([get(), get()]);
      expect(first).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'secret&1', sessionToken: 'token1', expiration: new Date(now + 60 * 60_000) });
      expect(same).toBe(first);
      expect(sts.seen).toHaveLength(1);
      const call = sts.seen[0]!;
      expect(call).toMatchObject({ method: 'POST', url: '/' });
      expect(call.headers.authorization).toBeUndefined();
      expect(Object.fromEntries(new URLSearchParams(call.body))).toEqual({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: 'arn:aws:iam::123456789012:role/relay',
        RoleSessionName: 'relay-pod',
        WebIdentityToken: 'projected-token-1',
      });

      now += 54 * 60_000; // 6 minutes left: still fresh
      expect(await get()).toBe(first);
      fs.writeFileSync(token, 'projected-token-2');
      now += 2 * 60_000; // 4 minutes left: refreshed, with the token as it is now
      expect((await get()).accessKeyId).toBe('ASIA2');
      expect(new URLSearchParams(sts.seen[1]!.body).get('WebIdentityToken')).toBe('projected-token-2');
    } finally {
      await sts.stop();
    }
  });

  it('IRSA: a refused role is a non-retryable AwsCredentialsError naming the role; STS down is retryable', async () => {
    const sts = await server(() => ({
      status: 403,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>',
    }));
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: tmpFile('t'), AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/relay' };
    try {
      const refused = await relayCredentials({ region: 'us-west-2', env: { ...env, AWS_ENDPOINT_URL: sts.url } })().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AwsCredentialsError);
      expect(refused).toMatchObject({ source: 'web identity', retryable: false, message: expect.stringMatching(/role\/relay refused: AccessDenied: Not authorized/) });
    } finally {
      await sts.stop();
    }
    const down = await relayCredentials({ region: 'us-west-2', env: { ...env, AWS_ENDPOINT_URL: sts.url } })().catch((e: unknown) => e);
    expect(down).toMatchObject({ name: 'AwsCredentialsError', retryable: true });
    const noToken = await relayCredentials({ region: 'us-west-2', env: { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: '/nonexistent/token' } })().catch((e: unknown) => e);
    expect(noToken).toMatchObject({ name: 'AwsCredentialsError', message: expect.stringMatching(/AWS_WEB_IDENTITY_TOKEN_FILE/) });
  });

  it('EKS Pod Identity: GETs the full URI with the token file as authorization, and refreshes before expiry', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const agent = await server((_, n) => ({
      status: 200,
      body: JSON.stringify({ AccessKeyId: `AKID${n}`, SecretAccessKey: 's', Token: 't', AccountId: '123456789012', Expiration: new Date(now + 60 * 60_000).toISOString() }),
    }));
    try {
      const token = tmpFile('pod-identity-token\n');
      const get = relayCredentials({
        region: 'us-west-2',
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: token },
        now: () => now,
      });
      const first = await get();
      expect(first).toMatchObject({ accessKeyId: 'AKID1', secretAccessKey: 's', sessionToken: 't' });
      expect(agent.seen[0]).toMatchObject({ method: 'GET', url: '/v1/credentials' });
      expect(agent.seen[0]!.headers.authorization).toBe('pod-identity-token');
      expect(await get()).toBe(first);
      now += 56 * 60_000;
      expect((await get()).accessKeyId).toBe('AKID2');
    } finally {
      await agent.stop();
    }
  });

  it('a failed early refresh keeps credentials that still work; once expired the error surfaces', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const expiration = new Date(now + 10 * 60_000);
    const agent = await server((_, n) =>
      n === 1 ? { status: 200, body: JSON.stringify({ AccessKeyId: 'AKID1', SecretAccessKey: 's', Token: 't', Expiration: expiration.toISOString() }) } : { status: 500, body: '{"Message":"agent busy"}' },
    );
    try {
      const get = relayCredentials({ region: 'us-west-2', env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials` }, now: () => now });
      const first = await get();
      now += 7 * 60_000; // in the refresh window, not expired
      expect(await get()).toBe(first);
      now += 4 * 60_000; // expired
      await expect(get()).rejects.toMatchObject({ name: 'AwsCredentialsError', source: 'container', retryable: true, message: expect.stringMatching(/HTTP 500: agent busy/) });
    } finally {
      await agent.stop();
    }
  });

  it('instance role: IMDSv2 (token, role name, credentials), IMDSv1 when the token call is refused', async () => {
    for (const tokenStatus of [200, 403]) {
      const imds = await server((seen) => {
        if (seen.method === 'PUT') return { status: tokenStatus, body: 'imds-token' };
        if (seen.url === '/latest/meta-data/iam/security-credentials/') return { status: 200, body: 'node-role\n' };
        return { status: 200, body: JSON.stringify({ Code: 'Success', AccessKeyId: 'ASIANODE', SecretAccessKey: 's', Token: 't', Expiration: '2030-01-01T00:00:00Z' }) };
      });
      try {
        const got = await relayCredentials({ region: 'us-west-2', env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url } })();
        expect(got).toEqual({ accessKeyId: 'ASIANODE', secretAccessKey: 's', sessionToken: 't', expiration: new Date('2030-01-01T00:00:00Z') });
        expect(imds.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
          'PUT /latest/api/token',
          'GET /latest/meta-data/iam/security-credentials/',
          'GET /latest/meta-data/iam/security-credentials/node-role',
        ]);
        expect(imds.seen[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
        expect(imds.seen[2]!.headers['x-aws-ec2-metadata-token']).toBe(tokenStatus === 200 ? 'imds-token' : undefined);
      } finally {
        await imds.stop();
      }
    }
  });

  it('with no source at all, a typed error says what to set', async () => {
    await expect(relayCredentials({ region: 'us-west-2', env: { AWS_EC2_METADATA_DISABLED: 'true' } })()).rejects.toMatchObject({
      name: 'AwsCredentialsError',
      source: 'none',
      message: expect.stringMatching(/AWS_ACCESS_KEY_ID.*AWS_WEB_IDENTITY_TOKEN_FILE.*AWS_CONTAINER_CREDENTIALS_FULL_URI/),
    });
  });

  it('refuses plain http to a host other than loopback or the credential agents', async () => {
    const get = relayCredentials({ region: 'us-west-2', env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://example.com/creds' } });
    await expect(get()).rejects.toMatchObject({ name: 'AwsCredentialsError', source: 'container', retryable: false });
  });
});
