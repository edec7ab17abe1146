import { partitionOf } from '../../../core/aws/partition.js';
import { InvalidSpecError } from '../../../core/errors/index.js';
import { normalizeSpec, specProblems } from '../../../core/spec/normalize.js';
import type { EksCfSpec, EksFargateSpec, EksManagedSpec } from '../../../core/spec/types.js';
import { INVALID_SPECS } from '../../fixtures/invalid-specs.js';
import { REFERENCE_SAMPLES, clone, loadManifest } from '../../support/fixtures.js';

const cfSample = () => loadManifest(REFERENCE_SAMPLES.eksCf).spec;
const fargateSample = () => loadManifest(REFERENCE_SAMPLES.eksFargate).spec;

describe('normalizeSpec: the reference eks-cf sample', () => {
  const spec = normalizeSpec(cfSample()) as EksCfSpec;

  it('reads the sizes, image and network exactly as written', () => {
    expect(spec).toMatchObject({
      provisioner: 'eks-cf',
      clusterName: 'my-eks-cluster',
      minSize: 1,
      maxSize: 3,
      image: 'ami-089d3b6350c1769a6',
      instanceType: 'm5.large',
      keyPairName: 'my-key',
      volSize: 20,
      subnets: ['subnet-1a2b3c4d', 'subnet-4d3c2b1a', 'subnet-0w9x8y7z'],
      securityGroups: ['sg-q1w2e3r4t5y6u7i8'],
    });
  });

  it('turns the key/value tag list into a map', () => {
    expect(spec.tags).toEqual({ mykey: 'myvalue' });
  });

  it('fills the rollingUpdate block the sample leaves out with defaults', () => {
    expect(spec.strategy).toEqual({
      type: 'rollingUpdate',
      rollingUpdate: {
        maxBatchSize: 1,
        minInstancesInService: 1,
        minSuccessfulInstancesPercent: 100,
        pauseTime: 'PT5M',
        suspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'],
        waitOnResourceSignals: false,
        maxUnavailable: 1,
        drainTimeoutSeconds: 900,
        drainTimeoutAction: 'stop',
      },
    });
  });

  it('reads maxUnavailable (count or percentage), the drain timeout and its action; maxBatchSize stands in for maxUnavailable', () => {
    const raw = cfSample();
    raw.strategy = { type: 'rollingUpdate', rollingUpdate: { maxUnavailable: '50%', drainTimeout: 'PT2M30S', drainTimeoutAction: 'force' } };
    const given = (normalizeSpec(raw) as EksCfSpec).strategy.rollingUpdate;
    expect([given.maxUnavailable, given.drainTimeoutSeconds, given.drainTimeoutAction]).toEqual(['50%', 150, 'force']);
    raw.strategy = { type: 'rollingUpdate', rollingUpdate: { maxBatchSize: 3 } };
    expect((normalizeSpec(raw) as EksCfSpec).strategy.rollingUpdate.maxUnavailable).toBe(3);
  });

  it('keeps bootstrap arguments verbatim', () => {
    expect(spec.bootstrapArguments).toBe(
      '--register-with-taints=my-taint-key=my-taint-value:NoSchedule --node-labels=my-label=true',
    );
  });
});

describe('normalizeSpec: eks-cf node configuration', () => {
  it('reads an image alias, the family, labels, taints, max pods and the hop limit', () => {
    const raw = cfSample();
    const cfg = raw['eks-cf']!.configuration as Record<string, unknown>;
    Object.assign(cfg, {
      image: 'al2023-arm64',
      imageFamily: 'al2023',
      nodeLabels: { team: 'a', 'node.kubernetes.io/lifecycle': 'spot' },
      taints: [{ key: 'gpu', effect: 'NoSchedule' }, { key: 'example.com/dedicated', value: 'ml', effect: 'NoExecute' }],
      maxPods: 58,
      metadataHopLimit: 2,
      bootstrapArguments: '  --v=2   --kube-reserved=cpu=250m,memory=1Gi ',
    });
    const spec = normalizeSpec(raw) as EksCfSpec;
    expect(spec).toMatchObject({
      image: 'al2023-arm64',
      imageFamily: 'al2023',
      nodeLabels: { team: 'a', 'node.kubernetes.io/lifecycle': 'spot' },
      taints: [{ key: 'gpu', effect: 'NoSchedule' }, { key: 'example.com/dedicated', value: 'ml', effect: 'NoExecute' }],
      maxPods: 58,
      metadataHopLimit: 2,
      bootstrapArguments: '--v=2 --kube-reserved=cpu=250m,memory=1Gi',
    });
  });

  it('defaults the metadata hop limit to 1 and leaves the family to the image', () => {
    const spec = normalizeSpec(cfSample()) as EksCfSpec;
    expect(spec.metadataHopLimit).toBe(1);
    expect(spec.imageFamily).toBeUndefined();
    expect([spec.nodeLabels, spec.taints, spec.maxPods]).toEqual([{}, [], undefined]);
  });
});

describe('normalizeSpec: defaults', () => {
  it('defaults the volume to 32 GiB gp3 and the strategy to rollingUpdate when both are left out', () => {
    const raw = cfSample();
    delete raw.strategy;
    delete raw['eks-cf']!.configuration.volSize;
    const spec = normalizeSpec(raw) as EksCfSpec;
    expect([spec.volSize, spec.volType, spec.strategy.type]).toEqual([32, 'gp3', 'rollingUpdate']);
  });

  it('caps minInstancesInService below maxSize so a one-node group can still roll', () => {
    const raw = cfSample();
    raw['eks-cf']!.minSize = 1;
    raw['eks-cf']!.maxSize = 1;
    const spec = normalizeSpec(raw) as EksCfSpec;
    expect(spec.strategy.type === 'rollingUpdate' && spec.strategy.rollingUpdate.minInstancesInService).toBe(0);
  });

  it('takes clusterName and subnets from the cluster defaults when the spec leaves them out', () => {
    const raw = cfSample();
    delete raw['eks-cf']!.configuration.clusterName;
    delete raw['eks-cf']!.configuration.subnets;
    const spec = normalizeSpec(raw, { clusterName: 'home', subnets: ['subnet-aaa', 'subnet-bbb'] }) as EksCfSpec;
    expect([spec.clusterName, spec.subnets]).toEqual(['home', ['subnet-aaa', 'subnet-bbb']]);
  });

  it('prefers the spec over the defaults', () => {
    const spec = normalizeSpec(cfSample(), { clusterName: 'home', subnets: ['subnet-aaa'] }) as EksCfSpec;
    expect(spec.clusterName).toBe('my-eks-cluster');
    expect(spec.subnets).toHaveLength(3);
  });

  it('names both missing fields when there are no defaults', () => {
    const raw = cfSample();
    delete raw['eks-cf']!.configuration.clusterName;
    delete raw['eks-cf']!.configuration.subnets;
    expect(specProblems(raw).map((p) => p.field)).toEqual([
      'spec.eks-cf.configuration.clusterName',
      'spec.eks-cf.configuration.subnets',
    ]);
  });
});

describe('normalizeSpec: the reference eks-fargate sample', () => {
  const spec = normalizeSpec(fargateSample()) as EksFargateSpec;

  it('reads the "- namespace1:" shorthand as the selector namespace', () => {
    expect(spec.selectors).toEqual([
      { namespace: 'namespace1', labels: { key1: 'value1', key2: 'value2' } },
      { namespace: 'namespace2', labels: { key1: 'value1', key2: 'value2' } },
    ]);
  });

  it('reads the tag map as it is, and keeps the user-chosen profile name and role', () => {
    expect(spec).toMatchObject({
      tags: { key1: 'value1', key2: 'value2' },
      profileName: 'my-unique-profile-name',
      podExecutionRoleArn: 'arn:aws:iam::123456789012:role/MyPodRole',
      clusterName: 'the-cluster-for-my-pods',
    });
  });

  it('reads the EKS API shape (namespace: x) the same way as the shorthand', () => {
    const raw = fargateSample();
    raw['eks-fargate']!.selectors = [{ namespace: 'namespace1', labels: { key1: 'value1', key2: 'value2' } }];
    expect((normalizeSpec(raw) as EksFargateSpec).selectors[0]).toEqual(spec.selectors[0]);
  });

  it('accepts a selector without labels', () => {
    const raw = fargateSample();
    raw['eks-fargate']!.selectors = [{ 'kube-system': null }];
    expect((normalizeSpec(raw) as EksFargateSpec).selectors).toEqual([{ namespace: 'kube-system', labels: {} }]);
  });
});

describe('normalizeSpec: eks-managed', () => {
  it('reads a single instanceType as a list, remote access, labels and taints', () => {
    const spec = normalizeSpec({
      provisioner: 'eks-managed',
      'eks-managed': {
        minSize: 2,
        maxSize: 4,
        configuration: {
          clusterName: 'c',
          subnets: ['subnet-1'],
          instanceType: 'm5.large',
          keyPairName: 'k',
          securityGroups: ['sg-1'],
          nodeLabels: { team: 'a' },
          taints: [{ key: 'gpu', effect: 'NO_SCHEDULE' }],
          tags: [{ key: 'cost-center', value: '42' }],
        },
      },
    }) as EksManagedSpec;
    expect(spec).toMatchObject({
      instanceTypes: ['m5.large'],
      diskSize: 20,
      capacityType: 'ON_DEMAND',
      remoteAccess: { keyPairName: 'k', sourceSecurityGroups: ['sg-1'] },
      labels: { team: 'a' },
      taints: [{ key: 'gpu', effect: 'NO_SCHEDULE' }],
      tags: { 'cost-center': '42' },
      replace: false,
    });
  });
});

describe('normalizeSpec: shapes the original accepted', () => {
  const withConfig = (change: (c: Record<string, unknown>) => void) => {
    const raw = cfSample();
    change(raw['eks-cf']!.configuration as unknown as Record<string, unknown>);
    return normalizeSpec(raw) as EksCfSpec;
  };

  it('reads roleName alone as the existing role and the instance profile of the same name', () => {
    expect(withConfig((c) => (c.roleName = 'team-a-nodes')).existingRole).toEqual({ roleName: 'team-a-nodes', instanceProfileName: 'team-a-nodes' });
  });

  it('keeps an explicit instanceProfileName next to roleName', () => {
    const spec = withConfig((c) => Object.assign(c, { roleName: 'team-a-nodes', instanceProfileName: 'team-a-profile' }));
    expect(spec.existingRole).toEqual({ roleName: 'team-a-nodes', instanceProfileName: 'team-a-profile' });
  });

  it('refuses instanceProfileName without roleName, naming the field and the fix', () => {
    const raw = cfSample();
    (raw['eks-cf']!.configuration as Record<string, unknown>).instanceProfileName = 'team-a-profile';
    expect(specProblems(raw)).toEqual([
      { field: 'spec.eks-cf.configuration', message: expect.stringContaining('instanceProfileName needs roleName') },
    ]);
  });

  it('turns managed policies given by bare name into AWS-managed policy ARNs, and keeps ARNs as written', () => {
    const spec = withConfig((c) => (c.managedPolicies = ['AmazonSSMManagedInstanceCore', 'arn:aws:iam::123456789012:policy/team/extra', 'AmazonSSMManagedInstanceCore']));
    expect(spec.managedPolicies).toEqual(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', 'arn:aws:iam::123456789012:policy/team/extra']);
  });

  it('builds the ARN in the partition the workflows run in', () => {
    const raw = cfSample();
    raw['eks-cf']!.configuration.managedPolicies = ['AmazonSSMManagedInstanceCore'];
    expect((normalizeSpec(raw, {}, { partition: partitionOf('cn-north-1') }) as EksCfSpec).managedPolicies).toEqual(['arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore']);
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('us-isob-east-1')).toBe('aws-iso-b');
    expect(partitionOf('eu-west-1')).toBe('aws');
  });
});

describe('shared validation refuses every catalogued invalid spec, naming the field', () => {
  it.each(INVALID_SPECS.map((c) => [c.title, c] as const))('%s', (_title, invalid) => {
    const problems = specProblems(clone(invalid.spec));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => `${p.field}: ${p.message}`).join('\n')).toContain(invalid.field);
    if (invalid.says) expect(problems.map((p) => p.message).join('\n')).toContain(invalid.says);
  });

  it('throws InvalidSpecError whose message lists each field', () => {
    const raw = cfSample();
    raw['eks-cf']!.configuration.image = 'nope';
    expect(() => normalizeSpec(raw)).toThrow(InvalidSpecError);
    expect(() => normalizeSpec(raw)).toThrow(/spec\.eks-cf\.configuration\.image/);
  });
});
