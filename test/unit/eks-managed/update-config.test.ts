import type { EksManagedSpec } from '../../../core/spec/types.js';
import { configUpdate, createRequest } from '../../../functions/eks-managed/plan.js';
import { updateConfigOf } from '../../../functions/eks-managed/update-config.js';
import { eksManagedSpec } from '../../support/eks-managed-spec.js';

const ref = { clusterName: 'my-eks-cluster', namespace: 'team-a', name: 'workers' };

const spec = (over: Partial<EksManagedSpec> = {}): EksManagedSpec => eksManagedSpec({ clusterName: 'my-eks-cluster', diskSize: 50, ...over });

describe('eks-managed updateConfig from strategy.rollingUpdate.maxUnavailable', () => {
  test('a count becomes maxUnavailable, a percentage maxUnavailablePercentage, nothing leaves EKS its default', () => {
    expect(updateConfigOf(spec({ maxUnavailable: 2 }))).toEqual({ maxUnavailable: 2 });
    expect(updateConfigOf(spec({ maxUnavailable: '25%' }))).toEqual({ maxUnavailablePercentage: 25 });
    expect(updateConfigOf(spec())).toBeUndefined();
  });

  test('CreateNodegroup carries updateConfig only when the spec sets it', () => {
    const d = (s: EksManagedSpec) => ({ ref, spec: s, nodeRoleArn: 'arn:aws:iam::123456789012:role/nodes' });
    expect(createRequest(d(spec({ maxUnavailable: '50%' })), 'ng', 'key').updateConfig).toEqual({ maxUnavailablePercentage: 50 });
    expect(createRequest(d(spec()), 'ng', 'key')).not.toHaveProperty('updateConfig');
  });

  test('UpdateNodegroupConfig sends updateConfig when the node group differs, and says so', () => {
    const ng = { scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 }, labels: {}, taints: [], updateConfig: { maxUnavailable: 1 } };
    const update = configUpdate(spec({ maxUnavailable: 2 }), ng);
    expect(update.input?.updateConfig).toEqual({ maxUnavailable: 2 });
    expect(update.changes).toContain('maxUnavailable 1 → 2');
    expect(configUpdate(spec({ maxUnavailable: 1 }), ng).input).toBeUndefined();
    expect(configUpdate(spec(), ng).input).toBeUndefined();
  });
});
