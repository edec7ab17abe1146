// The soak's step faults land where such a fault surfaces: a step that writes aws-auth gives up on a conflict, a
// status report gives up on its 409s, any other step runs out of time after doing its work.
import { faultInjector } from '../../../bench/lib/soak/faults.js';
import { stateMachineFiles } from '../../../core/workflows/bindings.js';

const context = {} as never;

test('each step fault is of the kind its step can meet, and only while faults are on', async () => {
  const faults = faultInjector({ seed: 3, probability: 1, machines: stateMachineFiles().map((m) => ({ base: m.base, file: m.file })) });
  let ran = 0;
  const real = async () => {
    ran++;
    return { ok: true };
  };
  const step = (machine: string, state: string) => faults.overrides[machine]![state]!({}, context, real) as Promise<unknown>;

  await expect(step('eks-cf-apply', 'Authorize Node Role')).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('aws-auth') });
  await expect(step('eks-cf-delete', 'Revoke Node Role')).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('aws-auth') });
  await expect(step('eks-cf-apply', 'Report Ready')).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('status') });
  await expect(step('eks-cf-apply', 'Create Or Update Stack')).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
  expect(ran).toBe(1); // the timed-out step did its work first
  expect(faults.counts).toEqual({ 'step-timeout': 1, 'status-409-gave-up': 1, 'aws-auth-409-gave-up': 2 });

  faults.stop();
  await expect(step('eks-cf-apply', 'Authorize Node Role')).resolves.toEqual({ ok: true });
});
