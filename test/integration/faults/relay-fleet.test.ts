// The soak's relay fault on the real test bed: two relay processes share the Lease; the leader is frozen with SIGSTOP
// (it neither releases the Lease nor renews it), the standby takes the Lease over, and the frozen one is killed with
// SIGKILL and replaced, so the fleet keeps two replicas.
import path from 'node:path';
import { connectionFromKubeconfig } from '../../../core/kube/connection.js';
import { KubeRest } from '../../../core/kube/rest.js';
import { startRelayFleet, type RelayFleet } from '../../../local/faults/relay-fleet.js';
import { kubectl, waitForCrd } from '../../../local/kubectl.js';
import { startTestBed, type TestBed } from '../../../local/testbed/index.js';
import { REPO_ROOT } from '../../../core/workflows/bindings.js';
import { liveProcesses } from '../../../local/testbed/process.js';
import { relayProcessEnv } from '../../support/relay/env.js';

let bed: TestBed;
let rest: KubeRest;
let fleet: RelayFleet | undefined;

beforeAll(async () => {
  bed = await startTestBed({ kube: true, moto: true });
  const admin = bed.kube!.kubeconfigPath;
  kubectl(admin, ['apply', '-f', path.join(REPO_ROOT, 'infra/k8s/crd.yaml')]);
  await waitForCrd(admin);
  for (const file of ['namespace', 'serviceaccount', 'rbac']) kubectl(admin, ['apply', '-f', path.join(REPO_ROOT, `infra/k8s/relay/${file}.yaml`)]);
  rest = new KubeRest(connectionFromKubeconfig(admin));
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  rest?.close();
  await bed?.stop();
});

test('the frozen leader loses the Lease to the standby, is killed, and a replacement joins', async () => {
  fleet = await startRelayFleet({
    runDir: bed.runDir,
    rest,
    env: relayProcessEnv(bed, { bus: 'instance-manager', region: 'us-west-2', cluster: 'testbed-cluster' }, {
      LEASE_DURATION: '4s',
      LEASE_RENEW_DEADLINE: '3s',
      LEASE_RETRY_PERIOD: '500ms',
    }),
  });
  const first = await fleet.waitForLeader(120_000);
  const takeover = await fleet.freezeThenKillLeader(120_000);
  console.log(`relay take-over: ${JSON.stringify(takeover)}`);
  const relays = () => liveProcesses(bed.runDir).filter((p) => p.name.startsWith('relay-')).map((p) => p.name).sort();
  expect({ frozen: takeover.frozen, successorDiffers: takeover.successor !== first, holder: await fleet.leader(), relays: relays() }).toEqual({
    frozen: first,
    successorDiffers: true,
    holder: takeover.successor,
    relays: ['relay-0', 'relay-1', 'relay-2'].filter((r) => r !== first),
  });
}, 400_000);
