// EventBridge PutEvents as one signed POST (JSON 1.1 protocol) over node's https.
// Why not @aws-sdk/client-eventbridge (issue 17, measured with the bundle as the container runs it): constructing
// that client costs ~22 MB of resident memory (its middleware stack, endpoint rules, http2 and web streams loaded
// at start), a third of the relay's 64 MB budget, for the one call the relay makes. This file adds nothing
// measurable. What the SDK did here is kept: a few attempts for blips (core/backoff), connect and request
// time-outs, keep-alive, typed errors named by EventBridge's error code.
import http from 'node:http';
import https from 'node:https';
import { retryWithBackoff, type BackoffPolicy } from '../../core/backoff/index.js';
import type { PutEventsEntry } from '../../core/events/index.js';
import { AwsCredentialsError, dnsSuffix, relayCredentials, type CredentialsProvider } from './credentials.js';
import { HttpRequestError, httpRequest } from './http.js';
import { signRequest } from './sigv4.js';

export interface PutEventsAnswer {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** EventBridge refused the call. `name` is its error code (as the SDK's exceptions have it). */
export class EventBridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface PutEventsClientOptions {
  region: string;
  /** AWS_ENDPOINT_URL[_EVENTBRIDGE]; default https://events.<region>.amazonaws.com. */
  endpoint?: string;
  credentials?: CredentialsProvider;
  env?: NodeJS.ProcessEnv;
  /** Attempts per call (default 3); the publisher's own per-entry backoff is the outer layer. */
  maxAttempts?: number;
  retryBackoff?: BackoffPolicy;
  connectTimeoutMs?: number;
  timeoutMs?: number;
}

const RETRYABLE_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalException',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'ExpiredTokenException',
]);

export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpRequestError) return true;
  if (error instanceof AwsCredentialsError) return error.retryable;
  if (error instanceof EventBridgeError) return error.statusCode >= 500 || error.statusCode === 429 || RETRYABLE_CODES.has(error.code);
  return false;
}

export function putEventsClient(options: PutEventsClientOptions): { putEvents(entries: PutEventsEntry[]): Promise<PutEventsAnswer>; close(): void } {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const credentials = options.credentials ?? relayCredentials({ region: options.region, env: options.env, agents });
  const url = new URL(options.endpoint ?? `https://events.${options.region}.${dnsSuffix(options.region)}`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  const backoff = options.retryBackoff ?? { initialMs: 100, maxMs: 1_000 };

  async function once(body: string): Promise<PutEventsAnswer> {
    const headers = signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body },
      await credentials(),
      { region: options.region, service: 'events' },
    );
    const answer = await httpRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      body,
      agents,
      connectTimeoutMs: options.connectTimeoutMs ?? 3_000,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    const requestId = header(answer.headers['x-amzn-requestid']);
    let parsed: Record<string, unknown> = {};
    try {
      parsed = answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {};
    } catch {
      if (answer.status === 200) throw new EventBridgeError('InvalidResponse', `PutEvents answered with unreadable JSON: ${answer.body.slice(0, 200)}`, 200, requestId);
    }
    if (answer.status === 200) return parsed as PutEventsAnswer;
    // The code is in x-amzn-errortype or __type, either possibly prefixed ("ns#Code") or suffixed (":http://...").
    const raw = header(answer.headers['x-amzn-errortype']) ?? (typeof parsed.__type === 'string' ? parsed.__type : undefined) ?? `HTTP${answer.status}`;
    const code = raw.split(':')[0]!.split('#').pop()!;
    const message = [parsed.message, parsed.Message].find((m): m is string => typeof m === 'string') ?? (answer.body.slice(0, 200) || `HTTP ${answer.status}`);
    throw new EventBridgeError(code, message, answer.status, requestId);
  }

  return {
    putEvents: (entries) => {
      const body = JSON.stringify({ Entries: entries });
      return retryWithBackoff(() => once(body), { ...backoff, maxAttempts: options.maxAttempts ?? 3, retryable: isRetryable });
    },
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
