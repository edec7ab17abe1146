// The installation policy on a real API server: the ValidatingAdmissionPolicy refuses every escalation of the
// catalogue with the same field and rule the pre-flight names, follows the policy object when it changes, fails
// closed without it, and never blocks metadata-only updates (finalizers) of groups written under a wider policy.
import { stringify } from 'yaml';
import { policyProblems, withDefaults } from '../../core/policy/index.js';
import { normalizeSpec } from '../../core/spec/normalize.js';
import type { NormalizedSpec } from '../../core/spec/types.js';
import { waitForCrd } from '../../local/kubectl.js';
import { applyPolicy, installPolicy, waitForAdmissionPolicy } from '../../local/policy.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { ESCALATION_POLICY, ESCALATIONS, RELAY_CLUSTER, TEAM_NAMESPACE } from '../fixtures/escalations.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../support/fixtures.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';

const CRD = new URL('../../infra/k8s/crd.yaml', import.meta.url).pathname;

let bed: TestBed;
let admin: string;

beforeAll(async () => {
  bed = await startTestBed({ moto: false });
  admin = bed.kube!.kubeconfigPath;
  kubectlOk(admin, ['apply', '-f', CRD]);
  await waitForCrd(admin);
  kubectlOk(admin, ['create', 'namespace', TEAM_NAMESPACE]);
  await installPolicy(admin, ESCALATION_POLICY);
}, 300_000);

afterAll(async () => {
  await bed?.stop();
});

const manifest = (name: string, spec: object) =>
  stringify({ apiVersion: 'instancemgr.keikoproj.io/v1alpha1', kind: 'InstanceGroup', metadata: { name, namespace: TEAM_NAMESPACE }, spec });

describe('the admission policy on a real API server', () => {
  it.each(ESCALATIONS.map((c, i) => [c.title, c, i] as const))('refuses, naming what the pre-flight names: %s', (_title, escalation, i) => {
    const result = kubectl(admin, ['create', '-f', '-'], manifest(`escalation-${i}`, clone(escalation.spec)));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(escalation.field);
    expect(result.stderr).toContain(`(${escalation.rule}`);
    // The pre-flight's twin refuses the same spec for the same rule.
    const problems = policyProblems(normalizeSpec(clone(escalation.spec)) as NormalizedSpec, {
      policy: withDefaults(ESCALATION_POLICY),
      namespace: TEAM_NAMESPACE,
      relayCluster: RELAY_CLUSTER,
    });
    expect(problems.map((p) => `${p.field}: ${p.message}`).join('\n')).toContain(`(${escalation.rule}`);
  });

  it('accepts the reference eks-cf sample, and a Fargate profile for the group’s own namespace', () => {
    expect(kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('cf', loadManifest(REFERENCE_SAMPLES.eksCf).spec))).toMatchObject({ code: 0 });
    const fargate = { provisioner: 'eks-fargate', 'eks-fargate': { selectors: [{ namespace: TEAM_NAMESPACE }, { [TEAM_NAMESPACE]: null, labels: { a: 'b' } }] } };
    expect(kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('fargate', fargate))).toMatchObject({ code: 0, stderr: '' });
  });

  it('follows the policy object: widened, the same spec is admitted; per-namespace sizes apply', async () => {
    const big = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as Record<string, any>;
    big['eks-cf'].maxSize = 300;
    applyPolicy(admin, { ...ESCALATION_POLICY, maxGroupSizeByNamespace: { [TEAM_NAMESPACE]: 400 } });
    try {
      await expect(eventually(() => kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('big', big)).code === 0)).resolves.toBe(true);
    } finally {
      applyPolicy(admin, ESCALATION_POLICY);
      await waitForAdmissionPolicy(admin, ESCALATION_POLICY);
    }
    const refused = kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('big', big));
    expect(refused.stderr).toContain('spec.eks-cf.maxSize: 300 is above 100');
  });

  it('lets a group written under a wider policy lose its finalizer once the policy is narrowed, but not change its spec', async () => {
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as Record<string, any>;
    spec['eks-cf'].maxSize = 50;
    kubectlOk(admin, ['create', '-f', '-'], manifest('legacy', spec));
    kubectlOk(admin, ['patch', 'ig', 'legacy', '-n', TEAM_NAMESPACE, '--type=merge', '-p', '{"metadata":{"finalizers":["instancemgr.keikoproj.io/test"]}}']);
    applyPolicy(admin, { ...ESCALATION_POLICY, maxGroupSize: 10 });
    try {
      await expect(
        eventually(() => kubectl(admin, ['patch', 'ig', 'legacy', '-n', TEAM_NAMESPACE, '--type=merge', '-p', '{"spec":{"eks-cf":{"minSize":2}}}']).code !== 0),
      ).resolves.toBe(true);
      const released = kubectl(admin, ['patch', 'ig', 'legacy', '-n', TEAM_NAMESPACE, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      expect(released).toMatchObject({ code: 0 });
    } finally {
      applyPolicy(admin, ESCALATION_POLICY);
      await waitForAdmissionPolicy(admin, ESCALATION_POLICY);
    }
  });

  it('refuses the policy object under any other name', () => {
    const other = stringify({ apiVersion: 'instancemgr.keikoproj.io/v1alpha1', kind: 'InstanceManagerPolicy', metadata: { name: 'wide-open' }, spec: {} });
    const result = kubectl(admin, ['create', '-f', '-'], other);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('metadata.name must be "default"');
  });

  it('fails closed: without the policy object no group can be created', async () => {
    kubectlOk(admin, ['delete', 'instancemanagerpolicy', 'default']);
    try {
      await expect(
        eventually(() => /not found|paramRef|No params found/i.test(kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('none', loadManifest(REFERENCE_SAMPLES.eksCf).spec)).stderr)),
      ).resolves.toBe(true);
    } finally {
      applyPolicy(admin, ESCALATION_POLICY);
      await waitForAdmissionPolicy(admin, ESCALATION_POLICY);
    }
  });
});

/** Polls a condition the admission plugin reaches through its informers; true once it holds (false after 20 s). */
async function eventually(condition: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
