import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { specOf } from '../../core/spec/from-object.js';
import { maxUserTags } from '../../core/schema/tag-budget.js';
import { normalizeSpec, specProblems } from '../../core/spec/normalize.js';
import type { EksCfSpec, EksFargateSpec } from '../../core/spec/types.js';
import { waitForCrd } from '../../local/kubectl.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { INVALID_SPECS } from '../fixtures/invalid-specs.js';
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
  kubectlOk(admin, ['create', 'namespace', 'samples']);
  kubectlOk(admin, ['create', 'namespace', 'invalid']);
});

afterAll(async () => {
  await bed?.stop();
});

const manifest = (name: string, spec: object) =>
  stringify({ apiVersion: 'instancemgr.keikoproj.io/v1alpha1', kind: 'InstanceGroup', metadata: { name }, spec });

describe('the InstanceGroup CRD on a real API server', () => {
  it('accepts the reference eks-cf sample exactly as written', () => {
    const out = kubectlOk(admin, ['apply', '-n', 'samples', '-f', REFERENCE_SAMPLES.eksCf]);
    expect(out).toContain('instancegroup.instancemgr.keikoproj.io/hello-world created');
  });

  const expectedSelectors = [
    { namespace: 'namespace1', labels: { key1: 'value1', key2: 'value2' } },
    { namespace: 'namespace2', labels: { key1: 'value1', key2: 'value2' } },
  ];

  it.each([
    ['kubectl create', ['create']],
    ['kubectl apply', ['apply']],
    ['kubectl apply --server-side', ['apply', '--server-side']],
  ])('accepts the reference eks-fargate sample exactly as written, and reads its selector shorthand after %s', (_how, verb) => {
    const namespace = `fargate-${verb.join('').replace(/[^a-z]/g, '')}`;
    kubectlOk(admin, ['create', 'namespace', namespace]);
    kubectlOk(admin, [...verb, '-n', namespace, '-f', REFERENCE_SAMPLES.eksFargate]);
    const stored = JSON.parse(kubectlOk(admin, ['get', 'ig', 'hello-world', '-n', namespace, '-o', 'json']));
    const spec = normalizeSpec(specOf(stored)) as EksFargateSpec;
    expect(spec.selectors).toEqual(expectedSelectors);
    expect(spec.tags).toEqual({ key1: 'value1', key2: 'value2' });
  });

  it('prints the reference columns in kubectl get instancegroups', () => {
    const header = kubectlOk(admin, ['get', 'instancegroups', '-n', 'samples']).split('\n')[0]!;
    expect(header.trim().split(/\s{2,}/)).toEqual(['NAME', 'STATE', 'MIN', 'MAX', 'GROUP NAME', 'PROVISIONER', 'AGE']);
  });

  it('fills the columns from status, through the status subresource', () => {
    const status = { status: { currentState: 'Ready', currentMin: 1, currentMax: 3, activeScalingGroupName: 'autoscaling-group-name' } };
    kubectlOk(admin, ['patch', 'ig', 'hello-world', '-n', 'samples', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    const row = kubectlOk(admin, ['get', 'ig', 'hello-world', '-n', 'samples', '--no-headers']).trim().split(/\s+/);
    expect(row.slice(0, 6)).toEqual(['hello-world', 'Ready', '1', '3', 'autoscaling-group-name', 'eks-cf']);
  });

  it('adds REASON, CLUSTER, NODES and EXECUTION with -o wide', () => {
    const status = {
      status: {
        clusterName: 'my-eks-cluster',
        readyNodes: 2,
        lastExecution: { name: 'samples-hello-world-0a1b2c3d-g1-apply' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: 'in place' }],
      },
    };
    kubectlOk(admin, ['patch', 'ig', 'hello-world', '-n', 'samples', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    const [header, row] = kubectlOk(admin, ['get', 'ig', 'hello-world', '-n', 'samples', '-o', 'wide']).split('\n');
    expect(header!.trim().split(/\s{2,}/)).toEqual(['NAME', 'STATE', 'MIN', 'MAX', 'GROUP NAME', 'PROVISIONER', 'AGE', 'REASON', 'CLUSTER', 'NODES', 'EXECUTION']);
    expect(row!.trim().split(/\s+/).slice(-4)).toEqual(['Provisioned', 'my-eks-cluster', '2', 'samples-hello-world-0a1b2c3d-g1-apply']);
  });

  it('keeps one condition per type (a map list keyed by type)', () => {
    const twice = { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }] } };
    const result = kubectl(admin, ['patch', 'ig', 'hello-world', '-n', 'samples', '--subresource=status', '--type=merge', '-p', JSON.stringify(twice)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/status\.conditions\[1\]: Duplicate value/);
  });

  it('is listed under the instancemgr category', () => {
    expect(kubectlOk(admin, ['get', 'instancemgr', '-n', 'samples', '-o', 'name']).trim()).toBe('instancegroup.instancemgr.keikoproj.io/hello-world');
  });

  it('answers to the short name ig', () => {
    expect(kubectlOk(admin, ['get', 'ig', '-n', 'samples', '-o', 'name']).trim()).toBe('instancegroup.instancemgr.keikoproj.io/hello-world');
  });

  it('explains fields with their descriptions', () => {
    const explained = kubectlOk(admin, ['explain', 'instancegroup.spec.eks-cf.configuration']);
    expect(explained).toContain('What each node looks like and where it runs.');
    expect(explained).toMatch(/image\s+<string> -required-/);
    const volSize = kubectlOk(admin, ['explain', 'instancegroup.spec.eks-cf.configuration.volSize']);
    expect(volSize).toContain('Default 32');
  });

  it("accepts the original's shapes: roleName alone, managedPolicies by bare name; the shared validation normalises them", () => {
    kubectlOk(admin, ['create', 'namespace', 'upstream']);
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec);
    Object.assign(spec['eks-cf']!.configuration, { roleName: 'team-a-nodes' });
    const applied = kubectl(admin, ['apply', '-n', 'upstream', '-f', '-'], manifest('upstream-role', spec));
    expect(applied.stderr).toBe('');
    const policies = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec);
    policies['eks-cf']!.configuration.managedPolicies = ['AmazonSSMManagedInstanceCore'];
    expect(kubectl(admin, ['apply', '-n', 'upstream', '-f', '-'], manifest('upstream-policies', policies)).stderr).toBe('');

    const stored = (name: string) => normalizeSpec(specOf(JSON.parse(kubectlOk(admin, ['get', 'ig', name, '-n', 'upstream', '-o', 'json'])))) as EksCfSpec;
    expect(stored('upstream-role').existingRole).toEqual({ roleName: 'team-a-nodes', instanceProfileName: 'team-a-nodes' });
    expect(stored('upstream-policies').managedPolicies).toEqual(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
  });

  it('accepts the most tags each provisioner allows (core/schema/tag-budget.ts), exactly at the limit', () => {
    kubectlOk(admin, ['create', 'namespace', 'tag-limit']);
    const tags = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `team/cost-center-${i}`, value: 'v' }));
    const cf = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec);
    cf['eks-cf']!.configuration.tags = tags(maxUserTags('eks-cf'));
    const managed = {
      provisioner: 'eks-managed',
      'eks-managed': { minSize: 1, maxSize: 3, configuration: { clusterName: 'c', subnets: ['subnet-1a2b3c4d'], instanceType: 'm5.large', tags: tags(maxUserTags('eks-managed')) } },
    };
    const fargate = clone(loadManifest(REFERENCE_SAMPLES.eksFargate).spec);
    fargate['eks-fargate']!.tags = Object.fromEntries(tags(maxUserTags('eks-fargate')).map((t) => [t.key, t.value]));
    for (const [name, spec] of Object.entries({ cf, managed, fargate })) {
      expect(kubectl(admin, ['apply', '-n', 'tag-limit', '-f', '-'], manifest(name, spec)).stderr).toBe('');
    }
  });

  it('refuses a change of provisioner on an existing group', () => {
    const fargate = readFileSync(REFERENCE_SAMPLES.eksFargate, 'utf8');
    const result = kubectl(admin, ['apply', '-n', 'samples', '-f', '-'], fargate);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.provisioner cannot change');
  });
});

describe('invalid specs', () => {
  const admission = INVALID_SPECS.filter((c) => c.stage === 'admission');
  const shared = INVALID_SPECS.filter((c) => c.stage === 'shared');

  it('the catalogue has at least 25 distinct cases', () => {
    expect(new Set(INVALID_SPECS.map((c) => JSON.stringify(c.spec))).size).toBeGreaterThanOrEqual(25);
  });

  it.each(admission.map((c, i) => [c.title, c, i] as const))('are refused at admission: %s', (_title, invalid, i) => {
    const result = kubectl(admin, ['apply', '-n', 'invalid', '-f', '-'], manifest(`invalid-${i}`, clone(invalid.spec)));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(invalid.field);
    if (invalid.says) expect(result.stderr).toContain(invalid.says);
  });

  it.each(shared.map((c, i) => [c.title, c, i] as const))(
    'pass admission but are refused by the shared validation: %s',
    (_title, invalid, i) => {
      const result = kubectl(admin, ['apply', '-n', 'invalid', '-f', '-'], manifest(`shared-${i}`, clone(invalid.spec)));
      expect(result.stderr).toBe('');
      const stored = JSON.parse(kubectlOk(admin, ['get', 'ig', `shared-${i}`, '-n', 'invalid', '-o', 'json']));
      const problems = specProblems(specOf(stored)).map((p) => `${p.field}: ${p.message}`).join('\n');
      expect(problems).toContain(invalid.field);
    },
  );
});
