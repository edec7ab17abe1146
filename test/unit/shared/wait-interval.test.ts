import { progressOf as nodeGroupProgress } from '../../../functions/eks-managed/nodegroups.js';
import { progressOf as profileProgress } from '../../../functions/eks-fargate/profiles.js';
import { waitSecondsAfter } from '../../../functions/shared/wait-interval.js';

describe('growing wait intervals for EKS node groups and Fargate profiles', () => {
  it('waits 5 s before the first check, then 10, 20 and at most 30 s', () => {
    expect([0, 1, 2, 3, 4, 100].map(waitSecondsAfter)).toEqual([5, 10, 20, 30, 30, 30]);
    expect(waitSecondsAfter(-1)).toBe(5);
  });

  it('puts the next interval into the progress the Wait state reads with SecondsPath', () => {
    expect(nodeGroupProgress({ status: 'CREATING' }, 'ng', 'active', 0)).toMatchObject({ settled: false, waitSeconds: 5 });
    expect(nodeGroupProgress({ status: 'UPDATING' }, 'ng', 'active', 2)).toMatchObject({ settled: false, waitSeconds: 20 });
    expect(profileProgress({ status: 'DELETING' }, 'fp', 'gone', 7)).toMatchObject({ settled: false, waitSeconds: 30 });
  });
});
