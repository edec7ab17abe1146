// The error responses AWS documents for throttling and server faults, in the wire shape of each protocol, so that
// the SDK parses them exactly as it parses AWS's own:
//   - awsQuery (CloudFormation, IAM, Auto Scaling, STS): an XML <ErrorResponse><Error><Type/><Code/><Message/>
//     </Error><RequestId/></ErrorResponse>; throttling is 400 "Throttling", a fault 500 "InternalFailure" or 503
//     "ServiceUnavailable" (the common errors of the Query APIs);
//   - ec2 (EC2's own query dialect): <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>;
//     throttling is "RequestLimitExceeded" (503), a fault 500 "InternalError" or 503 "Unavailable";
//   - awsJson1_0 / awsJson1_1 (EventBridge, Step Functions, SQS): {"__type": code, "message": ...} with the
//     x-amzn-ErrorType header; throttling is 400 "ThrottlingException";
//   - restJson1 (EKS): the code in x-amzn-ErrorType and {"message": ...}; throttling 429 "ThrottlingException",
//     a fault 500 "ServerException" or 503 "ServiceUnavailableException" (EKS's documented errors).
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type Protocol = 'query' | 'ec2' | 'json' | 'rest-json';
export type ErrorKind = 'throttling' | 'server-error' | 'unavailable';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The SigV4 credential scope names the service: `Credential=AKID/20260101/us-west-2/cloudformation/aws4_request`. */
export function serviceOf(headers: IncomingHttpHeaders): string {
  const auth = String(headers.authorization ?? '');
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
}

/** The wire protocol of a request, from what the SDK sent. */
export function protocolOf(service: string, headers: IncomingHttpHeaders): Protocol {
  const type = String(headers['content-type'] ?? '');
  if (type.startsWith('application/x-amz-json-')) return 'json';
  if (type.startsWith('application/x-www-form-urlencoded')) return service === 'ec2' ? 'ec2' : 'query';
  return 'rest-json';
}

/** The operation, for logs and for the per-operation fault streams: X-Amz-Target, the query Action, or the path. */
export function operationOf(method: string, url: string, headers: IncomingHttpHeaders, body: string): string {
  const target = headers['x-amz-target'];
  if (target) return String(target).split('.').pop()!;
  const action = /(?:^|&)Action=([^&]+)/.exec(body)?.[1] ?? new URL(url, 'http://x').searchParams.get('Action');
  if (action) return decodeURIComponent(action);
  // rest-json: the method and the path with its names cut out (/clusters/a/node-groups/b → /clusters/*/node-groups/*).
  return `${method} ${new URL(url, 'http://x').pathname.replace(/(\/[^/]+)\/[^/]+/g, '$1/*')}`;
}

const CODES: Record<Protocol, Record<ErrorKind, [number, string]>> = {
  query: { throttling: [400, 'Throttling'], 'server-error': [500, 'InternalFailure'], unavailable: [503, 'ServiceUnavailable'] },
  ec2: { throttling: [503, 'RequestLimitExceeded'], 'server-error': [500, 'InternalError'], unavailable: [503, 'Unavailable'] },
  json: { throttling: [400, 'ThrottlingException'], 'server-error': [500, 'InternalFailure'], unavailable: [503, 'ServiceUnavailable'] },
  'rest-json': { throttling: [429, 'ThrottlingException'], 'server-error': [500, 'ServerException'], unavailable: [503, 'ServiceUnavailableException'] },
};

const MESSAGES: Record<ErrorKind, string> = {
  throttling: 'Rate exceeded',
  'server-error': 'We encountered an internal error. Please try again.',
  unavailable: 'The service is unavailable. Please try again shortly.',
};

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function errorResponse(protocol: Protocol, kind: ErrorKind, contentType?: string): ErrorResponse {
  const [status, code] = CODES[protocol][kind];
  const message = MESSAGES[kind];
  const requestId = randomUUID();
  switch (protocol) {
    case 'query':
      return {
        status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body:
          `<ErrorResponse><Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code>` +
          `<Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'ec2':
      return {
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case 'json':
      return {
        status,
        headers: { 'content-type': contentType ?? 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: code, message }),
      };
    case 'rest-json':
      return {
        status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
        body: JSON.stringify({ message }),
      };
  }
}
