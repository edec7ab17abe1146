// The InstanceGroups the benchmark applies: per provisioner, a create, an update AWS makes in place, and a
// "no-op re-apply" — a new generation whose spec spells out a default, so the workflow runs and finds nothing to
// change in AWS (an unchanged `kubectl apply` of the same file writes nothing and starts nothing at all).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { InstanceGroup } from '../../core/spec/types.js';
import { demoEksCfManifest, SAMPLES } from '../../local/demo.js';
import type { SeededAccount } from '../../local/seed.js';
import { LOCAL_CLUSTER_NAME } from '../../local/control-plane.js';

export const PROVISIONERS = ['eks-cf', 'eks-managed', 'eks-fargate'] as const;
export type Provisioner = (typeof PROVISIONERS)[number];
export const SCENARIOS = ['create', 'update', 'noop', 'delete'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const SCENARIO_LABELS: Record<Scenario, string> = {
  create: 'create',
  update: 'update',
  noop: 'no-op re-apply',
  delete: 'delete',
};

/** What each scenario changes, for the README and the JSON. */
export const SCENARIO_CHANGES: Record<Provisioner, Record<Exclude<Scenario, 'create' | 'delete'>, string>> = {
  'eks-cf': { update: 'maxSize 3 → 5 (UpdateStack)', noop: 'volType: gp3 spelled out (the default)' },
  'eks-managed': { update: 'maxSize 3 → 5 (UpdateNodegroupConfig)', noop: 'strategy.type: managed spelled out (the default)' },
  // AWS can change only a profile's tags, and moto cannot tag profiles: the update is a selector change, which
  // replaces the profile (delete, then create under the same fixed name).
  'eks-fargate': { update: 'a selector label changed (profile replaced)', noop: 'strategy.type: managed spelled out (the default)' },
};

type Section = Record<string, unknown> & { configuration?: Record<string, unknown> };

function base(provisioner: Provisioner, account: SeededAccount, run: string): InstanceGroup {
  if (provisioner === 'eks-cf') return parse(demoEksCfManifest(account)) as InstanceGroup;
  if (provisioner === 'eks-fargate') {
    const g = parse(readFileSync(SAMPLES.eksFargate, 'utf8')) as InstanceGroup;
    // Profile names are per cluster and a fixed name must be free before it is used again: one per run.
    (g.spec['eks-fargate'] as Section).fargateProfileName = `bench-${run}`;
    return g;
  }
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name: 'x' } as InstanceGroup['metadata'],
    spec: {
      provisioner: 'eks-managed',
      'eks-managed': {
        minSize: 1,
        maxSize: 3,
        configuration: {
          clusterName: LOCAL_CLUSTER_NAME,
          subnets: account.subnetIds,
          instanceTypes: ['m5.large'],
          volSize: 20,
          amiType: 'AL2_x86_64',
          keyPairName: account.keyPairName,
          securityGroups: [account.securityGroupId],
          nodeLabels: { team: 'bench' },
          tags: [{ key: 'cost-center', value: '42' }],
        },
      },
    } as InstanceGroup['spec'],
  };
}

/** The manifest for a scenario's `kubectl apply` (create, update and noop build on each other). */
export function manifestFor(provisioner: Provisioner, scenario: Exclude<Scenario, 'delete'>, account: SeededAccount, ref: { namespace: string; name: string }): InstanceGroup {
  const g = base(provisioner, account, ref.name);
  g.metadata = { name: ref.name, namespace: ref.namespace } as InstanceGroup['metadata'];
  const section = (g.spec as unknown as Record<string, Section>)[provisioner]!;
  if (scenario === 'create') return g;
  if (provisioner === 'eks-fargate') {
    const selectors = section.selectors as { labels?: Record<string, string> }[];
    selectors[0]!.labels = { ...selectors[0]!.labels, key1: 'value1-updated' };
  } else section.maxSize = 5;
  if (scenario === 'update') return g;
  if (provisioner === 'eks-cf') section.configuration = { ...section.configuration, volType: 'gp3' };
  else (g.spec as unknown as Record<string, unknown>).strategy = { type: 'managed' };
  return g;
}
