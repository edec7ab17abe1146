import { classifyError, isRetryableStepError } from '../../../core/errors/index.js';
import { KubeApiError, KubeRest } from '../../../core/kube/rest.js';
import { explainFailure } from '../../../functions/shared/explain-failure.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

describe('classifyError: transient failures are retryable', () => {
  it.each([
    ['EAI_AGAIN (DNS did not answer)', Object.assign(new Error('getaddrinfo EAI_AGAIN eks.example'), { code: 'EAI_AGAIN' })],
    ['EHOSTUNREACH', Object.assign(new Error('connect EHOSTUNREACH 10.0.0.1:443'), { code: 'EHOSTUNREACH' })],
    ['fetch failed with EAI_AGAIN as its cause', Object.assign(new TypeError('request failed'), { cause: { code: 'EAI_AGAIN' } })],
    ['401 from an expired EKS token', new KubeApiError(401, 'Unauthorized', 'GET /apis: 401 Unauthorized')],
  ])('%s', (_what, error) => {
    expect(classifyError(error, 'step')).toMatchObject({ name: 'RetryableError', kind: 'retryable' });
  });

  it('a 403 stays terminal: a missing permission does not fix itself', () => {
    expect(classifyError(new KubeApiError(403, 'Forbidden', 'forbidden'), 'step').kind).toBe('terminal');
  });

  it("the REST client's own time-out is retryable", async () => {
    const server = http.createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kube = new KubeRest({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, 50);
    try {
      const error = await kube.get('/x').catch((e: unknown) => e);
      expect(classifyError(error, 'step')).toMatchObject({ kind: 'retryable' });
    } finally {
      kube.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('step errors as Step Functions reports them', () => {
  it('Sandbox.Timedout (the Lambda ran out of time) is retryable, with reason TimedOut', () => {
    expect(isRetryableStepError('Sandbox.Timedout')).toBe(true);
    expect(explainFailure({ failedStep: 'Create Or Update Stack', error: { Error: 'Sandbox.Timedout', Cause: 'Task timed out after 60.00 seconds' } }).report).toMatchObject({
      reason: 'TimedOut',
      retryable: true,
    });
  });

  it("middy's early time-out (TimeoutError, the Lambda ran out of time) is retryable, with reason TimedOut", () => {
    expect(explainFailure({ failedStep: 'Create Or Update Stack', error: { Error: 'TimeoutError', Cause: '[AbortError]: The operation was aborted.' } }).report).toMatchObject({
      reason: 'TimedOut',
      retryable: true,
    });
  });

  it('a terminal error stays terminal', () => {
    expect(isRetryableStepError('InvalidSpecError')).toBe(false);
  });
});
