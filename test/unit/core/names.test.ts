import {
  LIMITS,
  executionName,
  fargateProfileName,
  instanceProfileName,
  launchTemplateName,
  nodeGroupName,
  roleName,
  stackName,
} from '../../../core/names/index.js';

const group = { clusterName: 'my-eks-cluster', namespace: 'default', name: 'hello-world' };
const long = { clusterName: 'c'.repeat(100), namespace: 'n'.repeat(63), name: `${'x'.repeat(200)}.with.dots` };

describe('names', () => {
  it('are readable: cluster, namespace and group appear in order', () => {
    expect(stackName(group)).toMatch(/^my-eks-cluster-default-hello-world-[0-9a-f]{8}$/);
    expect(nodeGroupName(group)).toMatch(/^default-hello-world-[0-9a-f]{8}$/);
    expect(roleName(group, 'nodes')).toMatch(/^my-eks-cluster-default-hello-world-nodes-[0-9a-f]{8}$/);
  });

  it('are deterministic', () => {
    expect(stackName({ ...group })).toBe(stackName(group));
    expect(executionName({ ...group, uid: 'u', generation: 3, operation: 'apply' })).toBe(
      executionName({ ...group, uid: 'u', generation: 3, operation: 'apply' }),
    );
  });

  it('include the namespace, so same-named groups in two namespaces never collide', () => {
    const other = { ...group, namespace: 'team-b' };
    for (const name of [stackName, nodeGroupName, fargateProfileName, instanceProfileName, launchTemplateName]) {
      expect(name(group)).not.toBe(name(other));
    }
    expect(roleName(group, 'nodes')).not.toBe(roleName(other, 'nodes'));
  });

  it('never collide when dashes move between namespace and name', () => {
    const a = { clusterName: 'c', namespace: 'a-b', name: 'c' };
    const b = { clusterName: 'c', namespace: 'a', name: 'b-c' };
    expect(stackName(a)).not.toBe(stackName(b));
    expect(nodeGroupName(a)).not.toBe(nodeGroupName(b));
  });

  it('never collide when sanitising merges names ("a.b" and "a-b")', () => {
    expect(stackName({ ...group, name: 'a.b' })).not.toBe(stackName({ ...group, name: 'a-b' }));
  });

  it('differ per IAM role purpose', () => {
    expect(roleName(group, 'nodes')).not.toBe(roleName(group, 'fargate-pods'));
  });

  it('respect AWS length limits with the longest possible inputs', () => {
    expect(stackName(long).length).toBeLessThanOrEqual(LIMITS.stackName);
    expect(nodeGroupName(long).length).toBeLessThanOrEqual(LIMITS.nodeGroupName);
    expect(fargateProfileName(long).length).toBeLessThanOrEqual(LIMITS.fargateProfileName);
    expect(roleName(long, 'fargate-pods').length).toBeLessThanOrEqual(LIMITS.iamRoleName);
    expect(instanceProfileName(long).length).toBeLessThanOrEqual(LIMITS.instanceProfileName);
    const execution = executionName({ ...long, uid: 'u', generation: 123456, operation: 'delete', attempt: 12 });
    expect(execution.length).toBeLessThanOrEqual(LIMITS.executionName);
  });

  it('respect each AWS charset', () => {
    expect(stackName(long)).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
    expect(stackName({ ...group, clusterName: '9lives' })).toMatch(/^[A-Za-z]/);
    expect(nodeGroupName(long)).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    expect(roleName(long, 'nodes')).toMatch(/^[\w+=,.@-]+$/);
    const execution = executionName({ ...long, uid: 'u', generation: 1, operation: 'apply' });
    expect(execution).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('keep the generation, operation and attempt readable at the end of execution names', () => {
    const base = { namespace: 'default', name: 'hello-world', uid: 'uid-1', generation: 7 };
    expect(executionName({ ...base, operation: 'apply' })).toMatch(/^default-hello-world-[0-9a-f]{8}-g7-apply$/);
    expect(executionName({ ...base, operation: 'apply', attempt: 2 })).toMatch(/-g7-apply-a2$/);
    expect(executionName({ ...base, operation: 'delete' })).toMatch(/-g7-delete$/);
  });

  it('give a recreated object (new uid) a new execution name for the same generation', () => {
    const base = { namespace: 'default', name: 'hello-world', generation: 1, operation: 'apply' as const };
    expect(executionName({ ...base, uid: 'a' })).not.toBe(executionName({ ...base, uid: 'b' }));
  });
});
