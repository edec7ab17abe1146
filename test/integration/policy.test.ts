// The installation policy on a real API server: the ValidatingAdmissionPolicy refuses every escalation of the
// catalogue with the same field and rule the pre-flight names, follows the policy object once rendered from it, needs
// nothing else to judge (neither the object nor a CRD's discovery, so not even right after a restart), and never
// blocks metadata-only updates (finalizers) of groups written under a wider policy. The render runs the packaged
// imctl (scripts/build-cli.ts) from PATH, outside the checkout, as an administrator runs it.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { policyProblems, RENDER_COMMAND, withDefaults } from '../../core/policy/index.js';
import { normalizeSpec } from '../../core/spec/normalize.js';
import type { NormalizedSpec } from '../../core/spec/types.js';
import { waitForCrd } from '../../local/kubectl.js';
import { applyPolicy, installPolicy, waitForAdmissionPolicy } from '../../local/policy.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { ESCALATION_POLICY, ESCALATIONS, RELAY_CLUSTER, TEAM_NAMESPACE } from '../fixtures/escalations.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../support/fixtures.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';
import { buildCli } from '../../scripts/build-cli.js';

const CRD = new URL('../../infra/k8s/crd.yaml', import.meta.url).pathname;

let bed: TestBed;
let admin: string;
/** A directory holding only the packaged imctl, its working directory, and the PATH that finds it first. */
let imctlDir: string;
let imctlPath: string;

/** A shell pipeline as an administrator types it, with imctl on PATH. */
const sh = (command: string) =>
  spawnSync('bash', ['-o', 'pipefail', '-c', command], { cwd: imctlDir, encoding: 'utf8', env: { ...process.env, PATH: imctlPath }, timeout: 60_000 });
const asAdmin = (command: string) => command.replace(/kubectl /g, `kubectl --kubeconfig ${admin} `);

beforeAll(async () => {
  imctlDir = mkdtempSync(path.join(tmpdir(), 'imctl-policy-'));
  const { dir } = await buildCli(path.join(imctlDir, 'package'));
  // As npm install links a package's bin: executable, on PATH.
  chmodSync(path.join(dir, 'imctl.mjs'), 0o755);
  symlinkSync(path.join(dir, 'imctl.mjs'), path.join(imctlDir, 'imctl'));
  imctlPath = [imctlDir, path.dirname(process.execPath), process.env.PATH].join(path.delimiter);
  bed = await startTestBed({ moto: false });
  admin = bed.kube!.kubeconfigPath;
  kubectlOk(admin, ['apply', '-f', CRD]);
  await waitForCrd(admin);
  kubectlOk(admin, ['create', 'namespace', TEAM_NAMESPACE]);
  await installPolicy(admin, ESCALATION_POLICY);
}, 300_000);

afterAll(async () => {
  await bed?.stop();
  if (imctlDir) rmSync(imctlDir, { recursive: true, force: true });
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

  it('follows the policy object once the admission policy is rendered from it, as the docs say; per-namespace sizes apply', async () => {
    const big = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as Record<string, any>;
    big['eks-cf'].maxSize = 300;
    const admits = () => kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('big', big));
    try {
      // Widening the object alone widens only the pre-flight, and whoever does it is told so.
      const patched = kubectl(admin, ['patch', 'instancemanagerpolicy', 'default', '--type=merge', '-p', JSON.stringify({ spec: { maxGroupSizeByNamespace: { [TEAM_NAMESPACE]: 400 } } })]);
      expect(patched.code).toBe(0);
      expect(patched.stderr).toContain('Warning:');
      expect(patched.stderr).toContain('differ in maxGroupSizeByNamespace');
      expect(patched.stderr).toContain(RENDER_COMMAND);
      expect(admits().stderr).toContain('spec.eks-cf.maxSize: 300 is above 100');
      // --from-cluster reads the same object the kubectl pipeline gives imctl.
      const piped = sh(asAdmin('kubectl get instancemanagerpolicy default -o yaml | imctl policy render'));
      expect(piped).toMatchObject({ status: 0, stderr: '' });
      expect(piped.stdout).toContain(`"maxGroupSizeByNamespace": dyn({"${TEAM_NAMESPACE}": 400`);
      expect(sh(`imctl policy render --from-cluster --kubeconfig ${admin}`)).toMatchObject({ status: 0, stdout: piped.stdout, stderr: '' });
      // The documented command renders admission from the object.
      const rendered = sh(asAdmin(RENDER_COMMAND));
      expect(rendered).toMatchObject({ status: 0 });
      await expect(eventually(() => admits().code === 0)).resolves.toBe(true);
      // Object and admission agree again: writing the object warns no more, once the plugin has the re-rendered check
      // too (a policy of its own, refreshed apart from the one admits() waited for).
      const annotate = () => kubectl(admin, ['annotate', 'instancemanagerpolicy', 'default', 'checked=yes', '--overwrite']);
      await expect(eventually(() => annotate().stderr === '')).resolves.toBe(true);
      expect(annotate()).toMatchObject({ code: 0, stderr: '' });
    } finally {
      applyPolicy(admin, ESCALATION_POLICY);
      await waitForAdmissionPolicy(admin, ESCALATION_POLICY);
    }
    // waitForAdmissionPolicy probes namespace default; team-a's own size follows within the plugin's refresh.
    await expect(eventually(() => admits().stderr.includes('spec.eks-cf.maxSize: 300 is above 100'))).resolves.toBe(true);
  });

  it('lets a group written under a wider policy lose its finalizer once the policy is narrowed, but not change its spec', async () => {
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as Record<string, any>;
    spec['eks-cf'].maxSize = 50;
    kubectlOk(admin, ['create', '-f', '-'], manifest('legacy', spec));
    kubectlOk(admin, ['patch', 'ig', 'legacy', '-n', TEAM_NAMESPACE, '--type=merge', '-p', '{"metadata":{"finalizers":["instancemgr.keikoproj.io/test"]}}']);
    applyPolicy(admin, { ...ESCALATION_POLICY, maxGroupSize: 10 });
    try {
      // Wait for the narrowed policy first: a spec change admitted before it would leave the patch below a no-op.
      await waitForAdmissionPolicy(admin, { ...ESCALATION_POLICY, maxGroupSize: 10 });
      const changed = kubectl(admin, ['patch', 'ig', 'legacy', '-n', TEAM_NAMESPACE, '--type=merge', '-p', '{"spec":{"eks-cf":{"minSize":2}}}']);
      expect(changed.code).not.toBe(0);
      expect(changed.stderr).toContain('spec.eks-cf.maxSize: 50 is above 10');
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

  it('does not depend on the policy object: without it, an escalation is still refused by its rule and a compliant group admitted', async () => {
    kubectlOk(admin, ['delete', 'instancemanagerpolicy', 'default']);
    try {
      // Rendering needs the object: imctl names it and how to create it, and prints nothing to apply.
      const render = sh(`imctl policy render --from-cluster --kubeconfig ${admin}`);
      expect(render).toMatchObject({ status: 1, stdout: '' });
      expect(render.stderr).toMatch(/^imctl: InstanceManagerPolicy "default" does not exist in the cluster at https:\/\/.*\n  fix: create it: kubectl apply -f infra\/k8s\/policy\/default-policy\.yaml/);
      const escalation = ESCALATIONS[0]!;
      const refused = kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('none', clone(escalation.spec)));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`(${escalation.rule}`);
      expect(kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest('none', loadManifest(REFERENCE_SAMPLES.eksCf).spec))).toMatchObject({ code: 0 });
    } finally {
      applyPolicy(admin, ESCALATION_POLICY);
      await waitForAdmissionPolicy(admin, ESCALATION_POLICY);
    }
  });
});

// Last: it restarts the API server under the suite.
describe('the admission policy right after an API server restart', () => {
  it('judges the first writes after /readyz like any other: a compliant group admitted, an escalation refused by its rule', async () => {
    const compliant = loadManifest(REFERENCE_SAMPLES.eksCf).spec;
    const escalation = ESCALATIONS[0]!;
    // kube-apiserver resolves a policy's paramKind through API discovery, cached for 30 s: a restart that cached it
    // before the CRD was served refused every InstanceGroup write for up to 30 s after /readyz. Not every restart
    // loses that race (about one in four here), so restart several times and judge the first writes after each.
    const wrong: string[] = [];
    for (let restart = 0; restart < 8; restart++) {
      await bed.kube!.restartApiserver(); // returns once /readyz passes and the endpoint is open again
      const admitted = kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest(`restarted-${restart}`, compliant));
      if (admitted.code !== 0) wrong.push(`restart ${restart}, compliant group refused: ${admitted.stderr.trim()}`);
      const refused = kubectl(admin, ['create', '--dry-run=server', '-f', '-'], manifest(`restarted-escalation-${restart}`, clone(escalation.spec)));
      if (refused.code === 0 || !refused.stderr.includes(escalation.field) || !refused.stderr.includes(`(${escalation.rule}`)) {
        wrong.push(`restart ${restart}, escalation not refused by its rule: ${refused.code} ${refused.stderr.trim()}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 180_000);
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
