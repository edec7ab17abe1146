// The workflows' Kubernetes client and a 403: an authorizer's refusal is tried again a few times (on EKS a fresh
// access entry or binding takes seconds to reach every API server), then thrown with the fix; a 403 that is not the
// authorizer's (an admission refusal) is thrown at once; either way it stays terminal.
import { jest } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyError } from '../../../core/errors/index.js';
import { KubeApiError, KubeRest, WORKFLOW_FORBIDDEN_RETRY } from '../../../core/kube/rest.js';

const denial = { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'instancegroups.instancemgr.keikoproj.io "a" is forbidden: User "system:serviceaccount:instance-manager:instance-manager-workflows" cannot patch resource "instancegroups/status" in API group "instancemgr.keikoproj.io" in the namespace "team"' };
const admission = { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'configmaps "x" is forbidden: unable to create new content in namespace team because it is being terminated' };

let server: http.Server;
let url: string;
let answers: { code: number; body: unknown }[];
let served: number;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    const next = answers[Math.min(served++, answers.length - 1)]!;
    res.writeHead(next.code, { 'Content-Type': 'application/json' }).end(JSON.stringify(next.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
// Fake clock for the pauses between tries; the HTTP round trips run on the real event loop (nextTick, setImmediate).
beforeEach(() => {
  served = 0;
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
});
afterEach(() => jest.useRealTimers());

/** Settles `call`, skipping each pause between tries at once; the pauses' lengths in milliseconds, in order. */
async function settle<T>(call: Promise<T>): Promise<{ outcome: T | unknown; pauses: number[] }> {
  let done = false;
  const outcome = call.catch((error: unknown) => error).finally(() => (done = true));
  const pauses: number[] = [];
  while (!done) {
    if (jest.getTimerCount() === 0) {
      await new Promise((r) => setImmediate(r));
      continue;
    }
    const before = Date.now();
    jest.advanceTimersToNextTimer();
    pauses.push(Date.now() - before);
  }
  return { outcome: await outcome, pauses };
}

const client = () => new KubeRest({ server: url }, 5_000, WORKFLOW_FORBIDDEN_RETRY);

test('an authorizer refusal that passes within the retries is not an error', async () => {
  answers = [{ code: 403, body: denial }, { code: 403, body: denial }, { code: 200, body: { kind: 'APIVersions' } }];
  const rest = client();
  const { outcome, pauses } = await settle(rest.get('/api'));
  expect(outcome).toEqual({ kind: 'APIVersions' });
  expect(served).toBe(3);
  expect(pauses).toEqual([1_000, 2_000]);
  rest.close();
});

test('an authorizer refusal that lasts is thrown after the retries (1, 2 and 4 s apart), terminal, naming the fix', async () => {
  answers = [{ code: 403, body: denial }];
  const rest = client();
  const { outcome, pauses } = await settle(rest.get('/apis'));
  const error = outcome as KubeApiError;
  expect(served).toBe(4);
  expect(pauses).toEqual([1_000, 2_000, 4_000]);
  expect(error).toBeInstanceOf(KubeApiError);
  expect(error.code).toBe(403);
  expect(error.reason).toBe('Forbidden');
  expect(error.body).toEqual(denial);
  expect(error.message).toMatch(/cannot patch resource "instancegroups\/status".*still refused after 4 tries over 7 s: .*access entry and RBAC/);
  expect(classifyError(error, 'step').kind).toBe('terminal');
  rest.close();
});

test('an admission refusal is thrown at once', async () => {
  answers = [{ code: 403, body: admission }];
  const rest = client();
  const { outcome, pauses } = await settle(rest.get('/api'));
  expect(outcome).toMatchObject({ code: 403, message: expect.stringContaining('being terminated') });
  expect(served).toBe(1);
  expect(pauses).toEqual([]);
  rest.close();
});

test('a client without retries (the default) throws the first refusal as it came', async () => {
  answers = [{ code: 403, body: denial }];
  const rest = new KubeRest({ server: url });
  const { outcome, pauses } = await settle(rest.get('/api'));
  expect(outcome).toMatchObject({ code: 403, message: expect.not.stringContaining('still refused') });
  expect(served).toBe(1);
  expect(pauses).toEqual([]);
  rest.close();
});
