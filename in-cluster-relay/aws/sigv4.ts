// AWS Signature Version 4 for the relay's few AWS requests, on node:crypto (which the relay loads anyway for TLS).
// Why hand-written (issue 17, measured with the bundle as the container runs it): @smithy/signature-v4 alone adds
// ~7 MB of resident memory (it loads Node's zlib, web streams and more at start), the EventBridge SDK client ~22 MB;
// this file adds nothing measurable. test/unit/relay/sigv4.test.ts checks every signature against
// @smithy/signature-v4's for the same request.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working. */
  expiration?: Date;
}

export interface SignableRequest {
  method: string;
  url: URL;
  /** Lower-case names. `host`, `x-amz-content-sha256`, `x-amz-date` (and `x-amz-security-token`) are added. */
  headers: Record<string, string>;
  body: string;
}

const hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 escaping, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** YYYYMMDD'T'HHMMSS'Z'. */
export const amzDate = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * The headers to send: the request's own plus host, x-amz-content-sha256, x-amz-date, x-amz-security-token
 * (temporary credentials) and authorization. Every header given is signed.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  scope: { region: string; service: string },
  at: Date = new Date(),
): Record<string, string> {
  const date = amzDate(at);
  const day = date.slice(0, 8);
  const bodyHash = hex(request.body);
  // x-amz-content-sha256 as the SDK sends it (only S3 requires it; every service accepts it).
  const headers: Record<string, string> = { ...request.headers, host: request.url.host, 'x-amz-content-sha256': bodyHash, 'x-amz-date': date };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  // Every service but S3 signs each path segment encoded once more than it travels.
  const path = request.url.pathname.split('/').map(escape).join('/') || '/';
  const query = [...request.url.searchParams]
    .map(([k, v]) => [escape(k), escape(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    request.method.toUpperCase(),
    path,
    query,
    ...names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    bodyHash,
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, credentialScope, hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), scope.region), scope.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
