// Defects 9 and 10 of issue 14: a retried delete that finds the stack gone still releases the group's aws-auth claim,
// and a node role another group uses is never counted as unused.
import type { InstanceGroup } from '../../../core/spec/types.js';
import { readAwsAuth, writeAwsAuth, type AwsAuthData } from '../../../functions/shared/aws-auth.js';
import { groupsUsingRole } from '../../../functions/shared/role-users.js';
import { unmapGroup } from '../../../functions/shared/unmap.js';

const ROLE = 'arn:aws:iam::123456789012:role/nodes-a';
const OTHER = 'arn:aws:iam::123456789012:role/someone-elses';
const data = (managed: Record<string, string[]>, roles = [ROLE, OTHER]): AwsAuthData => ({
  mapRoles: roles.map((rolearn) => ({ rolearn, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes'] })),
  managed,
});

describe('UnmapAfterStackGone', () => {
  it('without the role ARN, removes the claim and the entry the annotation says the group holds', () => {
    const result = unmapGroup(data({ [ROLE]: ['ns/a'] }), 'ns/a', undefined, () => []);
    expect(result.changed).toBe(true);
    expect(result.data.managed).toEqual({});
    expect(result.data.mapRoles.map((r) => r.rolearn)).toEqual([OTHER]);
    // and it survives the round trip through the ConfigMap
    expect(readAwsAuth(writeAwsAuth(undefined, result.data)).mapRoles.map((r) => r.rolearn)).toEqual([OTHER]);
  });

  it('keeps an entry another group still claims, dropping only this group from it', () => {
    const result = unmapGroup(data({ [ROLE]: ['ns/a', 'ns/b'] }), 'ns/a', undefined, () => []);
    expect(result.data.managed).toEqual({ [ROLE]: ['ns/b'] });
    expect(result.data.mapRoles.map((r) => r.rolearn)).toEqual([ROLE, OTHER]);
  });

  it('with nothing claimed, changes nothing (an unmanaged entry is never touched)', () => {
    expect(unmapGroup(data({}), 'ns/a', undefined, () => []).changed).toBe(false);
  });
});

const group = (uid: string, name: string, spec: unknown, status?: unknown) =>
  ({ metadata: { uid, namespace: 'ns', name, generation: 1, resourceVersion: '1' }, spec, ...(status ? { status } : {}) }) as unknown as InstanceGroup;

describe('NodeRoleReferenceCounting', () => {
  const role = 'c-ns-a-nodes-1234abcd';
  it('finds other groups that name the role in their spec or report it in their status', () => {
    const groups = [
      group('a', 'a', { provisioner: 'eks-managed' }, { nodesInstanceRoleArn: `arn:aws:iam::1:role/${role}` }),
      group('b', 'b', { provisioner: 'eks-managed', 'eks-managed': { configuration: { nodeRole: `arn:aws:iam::1:role/${role}` } } }),
      group('c', 'c', { provisioner: 'eks-cf', 'eks-cf': { configuration: { roleName: role } } }),
      group('d', 'd', { provisioner: 'eks-fargate' }, { podExecutionRoleArn: `arn:aws:iam::1:role/${role}` }),
      group('e', 'e', { provisioner: 'eks-cf', 'eks-cf': { configuration: { roleName: 'another' } } }),
    ];
    expect(groupsUsingRole(groups, role, 'a')).toEqual(['ns/b', 'ns/c', 'ns/d']);
  });
  it('the group itself does not count', () => {
    expect(groupsUsingRole([group('a', 'a', {}, { nodesInstanceRoleArn: `arn:aws:iam::1:role/${role}` })], role, 'a')).toEqual([]);
  });
});
