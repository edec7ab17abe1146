import { baseNodePolicies, baseNodePoliciesIn } from '../../../functions/shared/node-policies.js';

describe('base node policies follow the partition', () => {
  test('commercial regions use arn:aws', () => {
    expect(baseNodePoliciesIn('us-west-2')).toEqual([
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
    ]);
  });

  test('China and GovCloud regions use their own partitions', () => {
    expect(baseNodePoliciesIn('cn-north-1')).toEqual(baseNodePolicies('aws-cn'));
    expect(baseNodePoliciesIn('cn-north-1')[0]).toBe('arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodePolicy');
    expect(baseNodePoliciesIn('us-gov-west-1').every((arn) => arn.startsWith('arn:aws-us-gov:iam::aws:policy/'))).toBe(true);
  });
});
