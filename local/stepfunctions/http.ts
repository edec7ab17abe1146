// The Step Functions API over HTTP, AWS JSON 1.0 protocol: POST / with X-Amz-Target: AWSStepFunctions.<Op> and
// a JSON body. Timestamps go out as epoch seconds, errors as {"__type","message"} with HTTP 400, as AWS sends
// them, so @aws-sdk/client-sfn and `aws stepfunctions ... --endpoint-url` work unchanged. Credentials and
// signatures are accepted without checking.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnError, sfnError } from './errors.js';
import type { LocalStepFunctions } from './service.js';

type Operation = (service: LocalStepFunctions, body: Record<string, unknown>) => Promise<unknown>;

// Request bodies are passed through as the SDK's input shapes; the service validates what it reads.
const OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: (s, b) => s.createStateMachine(b as never),
  DescribeStateMachine: (s, b) => s.describeStateMachine(b),
  DescribeStateMachineForExecution: (s, b) => s.describeStateMachineForExecution(b),
  ListStateMachines: (s, b) => s.listStateMachines(b),
  DeleteStateMachine: (s, b) => s.deleteStateMachine(b),
  StartExecution: (s, b) => s.startExecution(b as never),
  DescribeExecution: (s, b) => s.describeExecution(b),
  ListExecutions: (s, b) => s.listExecutions(b),
  GetExecutionHistory: (s, b) => s.getExecutionHistory(b as never),
  StopExecution: (s, b) => s.stopExecution(b),
  RedriveExecution: (s, b) => s.redriveExecution(b),
  SendTaskSuccess: (s, b) => s.sendTaskSuccess(b),
  SendTaskFailure: (s, b) => s.sendTaskFailure(b),
  SendTaskHeartbeat: (s, b) => s.sendTaskHeartbeat(b),
};

export const SUPPORTED_OPERATIONS = Object.keys(OPERATIONS);

/** Dates become epoch seconds (with milliseconds); undefined members are dropped. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, toWire(v)]])));
  }
  return value;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw sfnError('ValidationException', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

export async function handleRequest(service: LocalStepFunctions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method === 'GET' && (req.url === '/health' || req.url === '/')) {
      send(res, 200, { status: 'ok', operations: SUPPORTED_OPERATIONS });
      return;
    }
    if (req.method !== 'POST') throw sfnError('UnknownOperationException', `${req.method} is not supported; POST a JSON 1.0 request`);
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix, op] = target.split('.');
    const operation = prefix === 'AWSStepFunctions' && op ? OPERATIONS[op] : undefined;
    if (!operation) throw sfnError('UnknownOperationException', `Unknown or unsupported operation: '${target}' (supported: ${SUPPORTED_OPERATIONS.join(', ')})`);
    const text = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw sfnError('SerializationException', 'The request body is not valid JSON');
    }
    send(res, 200, toWire(await operation(service, body)));
  } catch (error) {
    const e = error instanceof SfnError ? error : sfnError('InternalFailure', (error as Error)?.message ?? String(error));
    send(res, e.httpStatus, { __type: `com.amazonaws.states#${e.code}`, message: e.message }, e.code);
  }
}

export interface SfnHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(service: LocalStepFunctions, options: { port?: number; host?: string } = {}): Promise<SfnHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => void handleRequest(service, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
