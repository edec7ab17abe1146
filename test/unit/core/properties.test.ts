// Property-based tests (fast-check, seeded so a failure reproduces): normalising is idempotent and leaves its input
// alone; whatever the CRD accepts (its schema and its CEL rules, through their JavaScript twins) the shared validator
// accepts once the relay's cluster defaults are known; AWS names stay within their limits and never collide.
import fc from 'fast-check';
import { executionName, fargateProfileName, instanceProfileName, launchTemplateName, LIMITS, nodeGroupName, roleName, stackName, type GroupRef } from '../../../core/names/index.js';
import { normalizeSpec, specProblems } from '../../../core/spec/normalize.js';
import type { EksCfSpec } from '../../../core/spec/types.js';
import { ruleProblems } from '../../../core/validate/rule-check.js';
import { schemaProblems } from '../../../core/validate/schema-check.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../../support/fixtures.js';

const SEED = 1414;
const RUNS = { seed: SEED, numRuns: 150 };
const DEFAULTS = { clusterName: 'relay-cluster', subnets: ['subnet-default1'] };

const id = (prefix: string) => fc.stringMatching(/^[0-9a-f]{4,17}$/).map((s) => `${prefix}-${s}`);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Mostly a valid value, sometimes a wrong one: most specs get past the CRD, and the edges are still tried. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: wrong, weight: 1 });

/** eks-cf specs around the reference sample: each field left out, set to a plausible value, or to a wrong one. */
const eksCfSpec = fc
  .record({
    minSize: mostly(fc.integer({ min: 0, max: 6 }), fc.constant(-1)),
    extra: mostly(fc.integer({ min: 0, max: 6 }), fc.constant(-1)),
    clusterName: maybe(fc.constantFrom('my-eks-cluster', 'prod_1', '-bad')),
    subnets: maybe(fc.array(id('subnet'), { maxLength: 4 })),
    securityGroups: mostly(fc.array(id('sg'), { minLength: 1, maxLength: 3 }), maybe(fc.constant([] as string[]))),
    image: mostly(id('ami'), fc.constant('not-an-ami')),
    instanceType: mostly(fc.constantFrom('m5.large', 't3.micro'), fc.constant('large')),
    volSize: maybe(fc.integer({ min: 0, max: 2000 })),
    volType: maybe(fc.constantFrom('gp2', 'gp3', 'io1', 'floppy')),
    keyPairName: maybe(fc.constantFrom('my-key', 'k')),
    bootstrapArguments: maybe(fc.string({ maxLength: 40 })),
    tags: maybe(fc.array(fc.record({ key: fc.stringMatching(/^[a-z][a-z0-9./-]{0,20}$/), value: fc.string({ maxLength: 20 }) }), { maxLength: 3 })),
    strategy: maybe(
      fc.oneof(
        fc.constant({ type: 'rollingUpdate' }),
        fc.record({ type: fc.constant('rollingUpdate'), rollingUpdate: fc.record({ maxBatchSize: fc.integer({ min: 0, max: 5 }) }) }),
        fc.constant({ type: 'managed' }),
      ),
    ),
  })
  .map((f) => {
    const spec = clone(loadManifest(REFERENCE_SAMPLES.eksCf).spec) as any;
    const section = spec['eks-cf'];
    section.minSize = f.minSize;
    section.maxSize = f.minSize + f.extra;
    const c: Record<string, unknown> = { image: f.image, instanceType: f.instanceType };
    for (const key of ['clusterName', 'subnets', 'securityGroups', 'volSize', 'volType', 'keyPairName', 'bootstrapArguments', 'tags'] as const) {
      if (f[key] !== undefined) c[key] = f[key];
    }
    section.configuration = c;
    if (f.strategy) spec.strategy = f.strategy;
    else delete spec.strategy;
    return spec;
  });

const crdAccepts = (spec: unknown) => schemaProblems(spec).length === 0 && ruleProblems(spec).length === 0;

describe('properties of spec normalisation', () => {
  it('whatever the CRD accepts, the shared validator accepts (with the relay defaults for cluster and subnets)', () => {
    fc.assert(
      fc.property(eksCfSpec, (spec) => {
        fc.pre(crdAccepts(spec));
        expect(specProblems(spec, DEFAULTS)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('normalising is idempotent: writing the defaults it filled in back into the spec changes nothing', () => {
    fc.assert(
      fc.property(eksCfSpec, (spec) => {
        fc.pre(crdAccepts(spec) && specProblems(spec, DEFAULTS).length === 0);
        const first = normalizeSpec(spec, DEFAULTS) as EksCfSpec;
        const again = clone(spec);
        Object.assign(again['eks-cf'].configuration, {
          clusterName: first.clusterName,
          subnets: first.subnets,
          volSize: first.volSize,
          volType: first.volType,
        });
        expect(normalizeSpec(again, DEFAULTS)).toEqual(first);
        expect(normalizeSpec(again, {})).toEqual(first);
      }),
      RUNS,
    );
  });

  it('normalising never changes its input and gives the same answer every time', () => {
    fc.assert(
      fc.property(eksCfSpec, (spec) => {
        const before = JSON.stringify(spec);
        const a = specProblems(spec, DEFAULTS);
        const b = specProblems(spec, DEFAULTS);
        expect(JSON.stringify(spec)).toBe(before);
        expect(b).toEqual(a);
      }),
      RUNS,
    );
  });
});

/** Kubernetes names: namespaces are DNS labels (63), objects DNS subdomains (253); cluster names as EKS allows (100). */
const dnsLabel = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
const dnsSubdomain = fc
  .array(dnsLabel, { minLength: 1, maxLength: 5 })
  .map((labels) => labels.join('.').slice(0, 253).replace(/[.-]+$/, ''))
  .filter((s) => s.length > 0);
const clusterName = fc.stringMatching(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/);
const groupRef: fc.Arbitrary<GroupRef> = fc.record({ clusterName, namespace: dnsLabel, name: dnsSubdomain });

const NAMERS: [string, (g: GroupRef) => string, number, RegExp][] = [
  ['stack', stackName, LIMITS.stackName, /^[A-Za-z][A-Za-z0-9-]*$/],
  ['node group', (g) => nodeGroupName(g), LIMITS.nodeGroupName, /^[A-Za-z0-9][A-Za-z0-9_-]*$/],
  ['node group r3', (g) => nodeGroupName(g, 3), LIMITS.nodeGroupName, /^[A-Za-z0-9][A-Za-z0-9_-]*$/],
  ['fargate profile', (g) => fargateProfileName(g), LIMITS.fargateProfileName, /^[A-Za-z0-9][A-Za-z0-9_-]*$/],
  ['node role', (g) => roleName(g, 'nodes'), LIMITS.iamRoleName, /^[\w+=,.@-]+$/],
  ['pod role', (g) => roleName(g, 'fargate-pods'), LIMITS.iamRoleName, /^[\w+=,.@-]+$/],
  ['instance profile', instanceProfileName, LIMITS.instanceProfileName, /^[\w+=,.@-]+$/],
  ['launch template', launchTemplateName, LIMITS.launchTemplateName, /^[A-Za-z0-9().\/_-]+$/],
];

describe('properties of AWS names', () => {
  it('every name stays within its AWS limit and character set', () => {
    fc.assert(
      fc.property(groupRef, (g) => {
        for (const [what, name, limit, allowed] of NAMERS) {
          const n = name(g);
          expect({ what, length: n.length <= limit, chars: allowed.test(n) }).toEqual({ what, length: true, chars: true });
        }
      }),
      RUNS,
    );
  });

  it('distinct groups never share a name', () => {
    fc.assert(
      fc.property(fc.uniqueArray(groupRef, { minLength: 2, maxLength: 30, selector: (g) => `${g.clusterName}\u0000${g.namespace}\u0000${g.name}` }), (groups) => {
        for (const [what, name] of NAMERS) {
          const names = groups.map(name);
          expect({ what, unique: new Set(names).size }).toEqual({ what, unique: groups.length });
        }
      }),
      RUNS,
    );
  });

  it('names that differ only where sanitising or truncating would merge them still differ', () => {
    const long = 'a'.repeat(250);
    const pairs: [GroupRef, GroupRef][] = [
      [{ clusterName: 'c', namespace: 'a-b', name: 'c' }, { clusterName: 'c', namespace: 'a', name: 'b-c' }],
      [{ clusterName: 'c', namespace: 'ns', name: `${long}x` }, { clusterName: 'c', namespace: 'ns', name: `${long}y` }],
    ];
    for (const [a, b] of pairs) for (const [what, name] of NAMERS) expect({ what, same: name(a) === name(b) }).toEqual({ what, same: false });
  });

  it('execution names stay within 80 characters, are deterministic, and differ per generation, operation and attempt', () => {
    const execution = fc.record({
      namespace: dnsLabel,
      name: dnsSubdomain,
      uid: fc.uuid(),
      generation: fc.integer({ min: 1, max: 1_000_000 }),
      operation: fc.constantFrom('apply' as const, 'delete' as const),
      attempt: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(execution, (e) => {
        const n = executionName(e);
        expect(n.length).toBeLessThanOrEqual(LIMITS.executionName);
        expect(n).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(executionName({ ...e })).toBe(n);
        expect(executionName({ ...e, attempt: e.attempt + 1 })).not.toBe(n);
        expect(executionName({ ...e, generation: e.generation + 1 })).not.toBe(n);
        expect(executionName({ ...e, operation: e.operation === 'apply' ? 'delete' : 'apply' })).not.toBe(n);
      }),
      RUNS,
    );
  });
});
