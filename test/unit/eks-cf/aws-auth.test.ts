import { addNodeRole, mappableRoleArn, readAwsAuth, removeNodeRole, writeAwsAuth, MANAGED_ROLES_ANNOTATION, type AwsAuthData } from '../../../functions/shared/aws-auth.js';

const ROLE = 'arn:aws:iam::111122223333:role/nodes';
const manual = { rolearn: 'arn:aws:iam::111122223333:role/manual', username: 'ops', groups: ['system:masters'] };
const empty: AwsAuthData = { mapRoles: [], managed: {} };

describe('aws-auth merge', () => {
  test('adding a role appends a node entry and records the group; adding it again changes nothing', () => {
    const first = addNodeRole({ mapRoles: [manual], managed: {} }, ROLE, 'a/one');
    expect(first.changed).toBe(true);
    expect(first.data.mapRoles).toEqual([manual, { rolearn: ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] }]);
    expect(first.data.managed).toEqual({ [ROLE]: ['a/one'] });
    expect(addNodeRole(first.data, ROLE, 'a/one').changed).toBe(false);
  });

  test('a second group on the same role adds no second entry; removing one keeps the entry', () => {
    const one = addNodeRole(empty, ROLE, 'a/one').data;
    const two = addNodeRole(one, ROLE, 'b/two').data;
    expect(two.mapRoles).toHaveLength(1);
    expect(two.managed[ROLE]).toEqual(['a/one', 'b/two']);
    const after = removeNodeRole(two, ROLE, 'a/one', []);
    expect(after.data.mapRoles).toHaveLength(1);
    expect(after.data.managed[ROLE]).toEqual(['b/two']);
    const last = removeNodeRole(after.data, ROLE, 'b/two', []);
    expect(last.data.mapRoles).toHaveLength(0);
    expect(last.data.managed).toEqual({});
  });

  test('an InstanceGroup that reports the role in its status keeps the entry even if the annotation lost it', () => {
    const one = addNodeRole(empty, ROLE, 'a/one').data;
    const result = removeNodeRole(one, ROLE, 'a/one', ['c/three']);
    expect(result.data.mapRoles).toHaveLength(1);
    expect(result.data.managed[ROLE]).toEqual(['c/three']);
  });

  test('an unmanaged entry for the role is never claimed nor removed', () => {
    const handMade = { rolearn: ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:nodes'] };
    const added = addNodeRole({ mapRoles: [handMade], managed: {} }, ROLE, 'a/one');
    expect(added.changed).toBe(false);
    const removed = removeNodeRole({ mapRoles: [handMade], managed: {} }, ROLE, 'a/one', []);
    expect(removed.changed).toBe(false);
    expect(removed.data.mapRoles).toEqual([handMade]);
  });

  test('role ARNs with a path are compared and written without it, as aws-auth requires', () => {
    expect(mappableRoleArn('arn:aws:iam::1:role/teams/x/nodes')).toBe('arn:aws:iam::1:role/nodes');
    const data = addNodeRole(empty, 'arn:aws:iam::1:role/teams/nodes', 'a/one').data;
    expect(data.mapRoles[0]!.rolearn).toBe('arn:aws:iam::1:role/nodes');
    expect(removeNodeRole(data, 'arn:aws:iam::1:role/nodes', 'a/one', []).data.mapRoles).toHaveLength(0);
  });

  test('the ConfigMap round-trips: other data keys, annotations and the resourceVersion are kept', () => {
    const cm = {
      metadata: { name: 'aws-auth', namespace: 'kube-system', resourceVersion: '42', annotations: { other: 'x' } },
      data: { mapRoles: '- rolearn: arn:aws:iam::111122223333:role/manual\n  username: ops\n  groups: [system:masters]\n', mapUsers: '[]' },
    };
    const data = addNodeRole(readAwsAuth(cm), ROLE, 'a/one').data;
    const written = writeAwsAuth(cm, data);
    expect(written.metadata?.resourceVersion).toBe('42');
    expect(written.metadata?.annotations).toMatchObject({ other: 'x', [MANAGED_ROLES_ANNOTATION]: JSON.stringify({ [ROLE]: ['a/one'] }) });
    expect(written.data?.mapUsers).toBe('[]');
    expect(readAwsAuth(written).mapRoles).toEqual([manual, expect.objectContaining({ rolearn: ROLE })]);
  });
});
