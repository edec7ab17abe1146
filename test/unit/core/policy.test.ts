import { PolicyViolationError } from '../../../core/errors/index.js';
import {
  admissionManifest,
  admissionPolicy,
  admissionPolicyBinding,
  allows,
  celLiteral,
  DEFAULT_POLICY,
  defaultPolicyObject,
  POLICY_RULES,
  policyFromObject,
  PolicyObjectError,
  policyProblems,
  withDefaults,
} from '../../../core/policy/index.js';
import { normalizeSpec } from '../../../core/spec/normalize.js';
import type { NormalizedSpec } from '../../../core/spec/types.js';
import { ESCALATION_POLICY, ESCALATIONS, RELAY_CLUSTER, TEAM_NAMESPACE } from '../../fixtures/escalations.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../../support/fixtures.js';

const ctx = (policy = withDefaults(ESCALATION_POLICY), namespace = TEAM_NAMESPACE) => ({ policy, namespace, relayCluster: RELAY_CLUSTER });
const problemsOf = (raw: unknown, context = ctx()) => policyProblems(normalizeSpec(clone(raw)) as NormalizedSpec, context);
const text = (problems: { field: string; message: string }[]) => problems.map((p) => `${p.field}: ${p.message}`).join('\n');

describe('the installation policy, as the pre-flight evaluates it', () => {
  it.each(ESCALATIONS.map((c) => [c.title, c] as const))('refuses: %s, naming the field and the rule', (_title, escalation) => {
    const problems = problemsOf(escalation.spec);
    expect(text(problems)).toContain(escalation.field);
    expect(text(problems)).toContain(`(${escalation.rule}`);
    expect(text(problems)).toContain('InstanceManagerPolicy "default"');
  });

  it('accepts the reference eks-cf sample in the relay cluster with the shipped defaults', () => {
    expect(problemsOf(loadManifest(REFERENCE_SAMPLES.eksCf).spec)).toEqual([]);
  });

  it('always allows the cluster the relay runs in, even when allowedClusters is empty', () => {
    expect(problemsOf(loadManifest(REFERENCE_SAMPLES.eksCf).spec, ctx(withDefaults({})))).toEqual([]);
  });

  it('widens per entry: exact values, prefixes ending in *, and * alone', () => {
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as any;
    spec['eks-cf'].configuration.managedPolicies = ['arn:aws:iam::123456789012:policy/team-a-s3'];
    spec['eks-cf'].configuration.clusterName = 'staging-2';
    const wider = withDefaults({ allowedManagedPolicies: ['arn:aws:iam::123456789012:policy/team-a-*'], allowedClusters: ['staging-*'] });
    expect(problemsOf(spec, ctx(wider))).toEqual([]);
    expect(allows(['*'], 'anything')).toBe(true);
    expect(allows(['m5.*'], 'm5.large')).toBe(true);
    expect(allows(['m5.*'], 'm6i.large')).toBe(false);
    expect(allows([], 'x')).toBe(false);
  });

  it('limits sizes per namespace when maxGroupSizeByNamespace names it', () => {
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as any;
    spec['eks-cf'].maxSize = 50;
    const policy = withDefaults({ ...ESCALATION_POLICY, maxGroupSizeByNamespace: { [TEAM_NAMESPACE]: 10, big: 500 } });
    expect(text(problemsOf(spec, ctx(policy)))).toContain('is above 10, the largest size');
    spec['eks-cf'].maxSize = 400;
    expect(problemsOf(spec, ctx(policy, 'big'))).toEqual([]);
  });

  it('restricts instance types when allowedInstanceTypes is narrowed', () => {
    const policy = withDefaults({ ...ESCALATION_POLICY, allowedInstanceTypes: ['t3.*'] });
    const problems = problemsOf(loadManifest(REFERENCE_SAMPLES.eksCf).spec, ctx(policy));
    expect(text(problems)).toContain('spec.eks-cf.configuration.instanceType: m5.large is not allowed by InstanceManagerPolicy "default" (allowedInstanceTypes)');
  });

  it('lets Fargate selectors name other namespaces only when the policy says so', () => {
    const other = ESCALATIONS.find((c) => c.rule === 'fargateSelectorsMayNameOtherNamespaces')!;
    expect(problemsOf(other.spec, ctx(withDefaults({ ...ESCALATION_POLICY, fargateSelectorsMayNameOtherNamespaces: true })))).toEqual([]);
  });

  it('PolicyViolationError is terminal, with reason PolicyViolation and every problem in its message', () => {
    const error = new PolicyViolationError(problemsOf(ESCALATIONS[0]!.spec));
    expect(error).toMatchObject({ kind: 'terminal', reason: 'PolicyViolation', name: 'PolicyViolationError' });
    expect(error.message).toContain('spec.eks-cf.configuration.managedPolicies: arn:aws:iam::aws:policy/AdministratorAccess is not allowed');
  });

  it('fills every field a missing or partial object leaves out with the strict defaults', () => {
    expect(withDefaults(undefined)).toEqual(DEFAULT_POLICY);
    expect(withDefaults({ maxGroupSize: 5 })).toEqual({ ...DEFAULT_POLICY, maxGroupSize: 5 });
    expect(DEFAULT_POLICY.allowedManagedPolicies).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);
  });

  it('has one admission validation per rule, judging only new or changed specs', () => {
    const vap = admissionPolicy();
    expect(vap.spec.validations).toHaveLength(POLICY_RULES.length);
    expect(vap.spec.matchConditions[0]!.expression).toContain('object.spec != oldObject.spec');
    for (const v of vap.spec.validations) expect(v.messageExpression).toMatch(/InstanceManagerPolicy "default" \(/);
  });

  it('carries the values it enforces instead of reading params, which a restarted API server may not resolve yet', () => {
    const vap = admissionPolicy(withDefaults({ allowedClusters: ['staging-*'], maxGroupSizeByNamespace: { batch: 500 } }));
    expect(vap.spec).not.toHaveProperty('paramKind');
    expect(admissionPolicyBinding().spec).not.toHaveProperty('paramRef');
    expect(vap.spec.failurePolicy).toBe('Fail');
    const p = vap.spec.variables[0]!;
    expect(p.name).toBe('p');
    expect(p.expression).toContain('"allowedClusters": dyn(["staging-*"])');
    expect(p.expression).toContain('"maxGroupSizeByNamespace": dyn({"batch": 500})');
    expect(JSON.stringify(vap)).not.toContain('params');
  });

  it('writes values as CEL literals that keep quotes and backslashes inside the string', () => {
    expect(celLiteral(['a"b', 'c\\d', 'm5.*'])).toBe('["a\\"b", "c\\\\d", "m5.*"]');
    expect(celLiteral({ ns: 3, other: false })).toBe('{"ns": 3, "other": false}');
    expect(() => celLiteral(1.5)).toThrow(TypeError);
  });

  it('renders from a policy object as kubectl prints it, and refuses anything else rather than guess', () => {
    const object = { ...defaultPolicyObject({ maxGroupSize: 7 }), metadata: { name: 'default', resourceVersion: '12' }, status: {} };
    expect(policyFromObject(object)).toEqual({ ...DEFAULT_POLICY, maxGroupSize: 7 });
    expect(policyFromObject({ kind: 'InstanceManagerPolicy', metadata: { name: 'default' } })).toEqual(DEFAULT_POLICY);
    expect(admissionManifest(policyFromObject(object))).toContain('"maxGroupSize": dyn(7)');
    expect(() => policyFromObject({ ...object, metadata: { name: 'wide-open' } })).toThrow(PolicyObjectError);
    expect(() => policyFromObject({ ...object, spec: { maxGroupSize: '7' } })).toThrow(/spec.maxGroupSize must be a non-negative integer/);
    expect(() => policyFromObject({ ...object, spec: { allowedCluster: ['*'] } })).toThrow(/spec.allowedCluster is not a policy field/);
  });

  it('refuses to render values the API server could not parse, saying so before anything is applied', () => {
    const many = Array.from({ length: 60 }, (_, i) => `arn:aws:iam::123456789012:role/${String(i).padStart(2000, 'r')}`);
    expect(() => admissionManifest(withDefaults({ allowedRoles: many }))).toThrow(/characters of CEL, above the API server's 100000/);
    expect(() => admissionManifest(withDefaults({ allowedRoles: many.slice(0, 40) }))).not.toThrow();
  });
});
