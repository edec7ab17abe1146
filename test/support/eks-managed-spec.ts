import type { EksManagedSpec } from '../../core/spec/types.js';

/** A normalised eks-managed spec for tests: cluster "c", one subnet, m5.large on demand, nothing else set. */
export const eksManagedSpec = (over: Partial<EksManagedSpec> = {}): EksManagedSpec => ({
  provisioner: 'eks-managed',
  clusterName: 'c',
  minSize: 1,
  maxSize: 3,
  subnets: ['subnet-a'],
  instanceTypes: ['m5.large'],
  diskSize: 20,
  capacityType: 'ON_DEMAND',
  labels: {},
  taints: [],
  tags: {},
  replace: false,
  ...over,
});
