// An API server restart as EKS clients see it: the endpoint refuses or drops connections for a while, and then
// answers as a ready API server. A non-admin identity never meets the 403s a kube-apiserver hands out while its
// RBAC authorizer is still syncing, because the test bed's readiness gate (the stand-in for the EKS endpoint's
// load balancer) opens the port only once /readyz passes.
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { KubeApiError, KubeRest } from '../../core/kube/rest.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';

let bed: TestBed;
beforeAll(async () => {
  bed = await startTestBed({ moto: false });
}, 120_000);
afterAll(() => bed?.stop());

test('across restarts, a workflow identity sees only refused or dropped connections and then answers, never a 403', async () => {
  // A fresh client per call: a pooled keep-alive socket would only hide connection errors.
  const ask = async () => {
    const client = new KubeRest(connectionFromKubeconfig(bed.kube!.kubeconfigFor('workflows')), 5_000);
    try {
      await client.get('/api');
      return 'ok';
    } catch (error) {
      if (error instanceof KubeApiError) return `http ${error.code}`;
      return 'connection';
    } finally {
      client.close();
    }
  };
  expect(await ask()).toBe('ok');
  const seen = new Set<string>();
  for (let restart = 0; restart < 3; restart++) {
    let restarting = true;
    const restarted = bed.kube!.restartApiserver(200).finally(() => (restarting = false));
    while (restarting) seen.add(await ask());
    await restarted;
    // Right after the restart the first answer is already a ready API server's.
    seen.add(await ask());
    expect(await ask()).toBe('ok');
  }
  expect([...seen].filter((s) => s.startsWith('http'))).toEqual([]);
  expect(seen.has('connection')).toBe(true);
}, 300_000);
