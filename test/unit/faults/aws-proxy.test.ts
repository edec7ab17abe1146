// The fault proxy answers with AWS's documented errors in each protocol's shape: the real SDK clients parse them into
// the documented error names and retry them; its draws are a pure function of the seed and the call.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AWS_FAULT_KINDS, fateOf, startAwsFaultProxy, type AwsFaultKind, type AwsFaultProxy } from '../../../local/faults/aws-proxy.js';

let upstream: http.Server;
let upstreamUrl: string;
let reached: string[] = [];

beforeAll(async () => {
  // Stands for the emulator: records what reached it and answers an empty JSON document.
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      reached.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));
beforeEach(() => (reached = []));

const only = (kind: AwsFaultKind) => Object.fromEntries(AWS_FAULT_KINDS.map((k) => [k, k === kind ? 1 : 0]));
const config = (endpoint: string, maxAttempts = 1) => ({
  endpoint,
  region: 'us-west-2',
  maxAttempts,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

async function failure(call: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function withProxy<T>(kind: AwsFaultKind, use: (proxy: AwsFaultProxy) => Promise<T>, hangMs = 50): Promise<T> {
  const proxy = await startAwsFaultProxy({ upstream: upstreamUrl, seed: 1, probability: 1, weights: only(kind), hangMs, active: true });
  try {
    return await use(proxy);
  } finally {
    await proxy.close();
  }
}

test('throttling comes back in every protocol as the error name AWS documents for it', async () => {
  const names = await withProxy('throttling', async ({ url }) => ({
    cloudformation: await failure(new CloudFormationClient(config(url)).send(new DescribeStacksCommand({}))),
    iam: await failure(new IAMClient(config(url)).send(new GetRoleCommand({ RoleName: 'r' }))),
    autoscaling: await failure(new AutoScalingClient(config(url)).send(new DescribeAutoScalingGroupsCommand({}))),
    sts: await failure(new STSClient(config(url)).send(new GetCallerIdentityCommand({}))),
    ec2: await failure(new EC2Client(config(url)).send(new DescribeVpcsCommand({}))),
    eks: await failure(new EKSClient(config(url)).send(new DescribeClusterCommand({ name: 'c' }))),
    events: await failure(new EventBridgeClient(config(url)).send(new PutEventsCommand({ Entries: [] }))),
    sfn: await failure(new SFNClient(config(url)).send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:m' }))),
  }));
  expect(names).toEqual({
    cloudformation: { name: 'Throttling', status: 400 },
    iam: { name: 'Throttling', status: 400 },
    autoscaling: { name: 'Throttling', status: 400 },
    sts: { name: 'Throttling', status: 400 },
    ec2: { name: 'RequestLimitExceeded', status: 503 },
    eks: { name: 'ThrottlingException', status: 429 },
    events: { name: 'ThrottlingException', status: 400 },
    sfn: { name: 'ThrottlingException', status: 400 },
  });
  expect(reached).toEqual([]);
});

test('server faults come back as 500 and 503 with the documented codes', async () => {
  const five = await withProxy('server-error', async ({ url }) => ({
    cloudformation: await failure(new CloudFormationClient(config(url)).send(new DescribeStacksCommand({}))),
    ec2: await failure(new EC2Client(config(url)).send(new DescribeVpcsCommand({}))),
    eks: await failure(new EKSClient(config(url)).send(new DescribeClusterCommand({ name: 'c' }))),
    sfn: await failure(new SFNClient(config(url)).send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:m' }))),
  }));
  const unavailable = await withProxy('unavailable', async ({ url }) => failure(new EKSClient(config(url)).send(new DescribeClusterCommand({ name: 'c' }))));
  expect({ five, unavailable }).toEqual({
    five: {
      cloudformation: { name: 'InternalFailure', status: 500 },
      ec2: { name: 'InternalError', status: 500 },
      eks: { name: 'ServerException', status: 500 },
      sfn: { name: 'InternalFailure', status: 500 },
    },
    unavailable: { name: 'ServiceUnavailableException', status: 503 },
  });
});

test('the SDK retries every injected kind: each attempt reaches the proxy', async () => {
  const attempts: Record<string, number> = {};
  for (const kind of AWS_FAULT_KINDS) {
    attempts[kind] = await withProxy(kind, async (proxy) => {
      await failure(new CloudFormationClient(config(proxy.url, 2)).send(new DescribeStacksCommand({})));
      return proxy.counts[kind];
    });
  }
  expect(attempts).toEqual(Object.fromEntries(AWS_FAULT_KINDS.map((k) => [k, 2])));
}, 30_000);

test('drop-after lets the call reach the emulator and loses only the answer; hang-then-drop loses the call', async () => {
  await withProxy('drop-after', async ({ url }) => failure(new EKSClient(config(url)).send(new DescribeClusterCommand({ name: 'c' }))));
  const afterDrop = reached.length;
  await withProxy('hang-then-drop', async ({ url }) => failure(new EKSClient(config(url)).send(new DescribeClusterCommand({ name: 'c' }))));
  expect({ afterDrop, afterHang: reached.length - afterDrop }).toEqual({ afterDrop: 1, afterHang: 0 });
});

test('an inactive proxy passes every call through untouched', async () => {
  const proxy = await startAwsFaultProxy({ upstream: upstreamUrl, seed: 1, probability: 1 });
  try {
    await new EKSClient(config(proxy.url)).send(new DescribeClusterCommand({ name: 'c' }));
    expect({ reached: reached.length, faults: Object.values(proxy.counts).reduce((a, b) => a + b, 0) }).toEqual({ reached: 1, faults: 0 });
  } finally {
    await proxy.close();
  }
});

test('fates depend only on the seed and the call: same seed same fates, about the asked share faulted', () => {
  const weights = Object.fromEntries(AWS_FAULT_KINDS.map((k) => [k, 1])) as Record<AwsFaultKind, number>;
  const fates = (seed: number) => Array.from({ length: 2000 }, (_, n) => fateOf(seed, 0.1, weights, 'cloudformation', 'CreateStack', n));
  const a = fates(14);
  const faulted = a.filter(Boolean).length;
  expect(fates(14)).toEqual(a);
  expect(fates(15)).not.toEqual(a);
  expect(faulted).toBeGreaterThan(140);
  expect(faulted).toBeLessThan(260);
  expect(new Set(a.filter(Boolean))).toEqual(new Set(AWS_FAULT_KINDS));
});
