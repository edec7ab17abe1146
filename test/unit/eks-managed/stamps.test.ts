// Issue 14, defects 1 and 3 for eks-managed: node groups carry the owner uid and the generation that last wrote them
// (functions/shared/stamp.ts). An older execution never writes over a newer one's node group, and a delete leaves
// alone the node groups of a group recreated under the same name. On a stubbed client: the decisions and the order
// of calls; test/integration/eks-stamps.test.ts runs the same against moto.
import type { EKSClient, Nodegroup } from '@aws-sdk/client-eks';
import { NoLongerWantedError } from '../../../core/errors/index.js';
import { nodeGroupName, ownershipTags } from '../../../core/names/index.js';
import type { EksManagedSpec } from '../../../core/spec/types.js';
import { decideNodeGroup, type DecideInput } from '../../../functions/eks-managed/decide.js';
import { createNodeGroup, deleteNodeGroup, updateNodeGroup } from '../../../functions/eks-managed/nodegroups.js';
import { createRequest, planApply, planDelete, type DesiredNodeGroup, type OwnedNodeGroup } from '../../../functions/eks-managed/plan.js';
import { STAMP_TAGS, stampTags, type Stamp } from '../../../functions/shared/stamp.js';
import { fakeAccess } from './fake-access.js';
import { stubClient } from './stub-eks.js';
import { decideInput, groupObject, type Purpose } from '../../support/eks-decide.js';
import { eksManagedSpec } from '../../support/eks-managed-spec.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'workers' };
const ROLE = 'arn:aws:iam::123456789012:role/nodes';
const NAME = nodeGroupName(ref, 0);
const ARN = `arn:aws:eks:us-east-1:123456789012:nodegroup/c/${NAME}/u-1`;
const spec = eksManagedSpec();
const gen = (generation: number, uid = 'uid-1'): Stamp => ({ uid, generation });
const desired = (stamp: Stamp, over: Partial<EksManagedSpec> = {}): DesiredNodeGroup => ({ ref, spec: { ...spec, ...over }, nodeRoleArn: ROLE, stamp });

/** A node group as the create of `stamp`'s execution left it, for `s`. */
function created(stamp: Stamp | undefined, s: Partial<EksManagedSpec> = {}, revision = 0): Nodegroup {
  const req = createRequest({ ref, spec: { ...spec, ...s }, nodeRoleArn: ROLE, ...(stamp ? { stamp } : {}) }, nodeGroupName(ref, revision), 'k');
  return { ...req, nodegroupArn: `${ARN}-${revision}`, status: 'ACTIVE', scalingConfig: req.scalingConfig, tags: req.tags } as Nodegroup;
}
const owned = (nodegroup: Nodegroup, revision = 0): OwnedNodeGroup => ({ revision, nodegroup });

describe('eks-managed stamps: what the plan decides', () => {
  test('a created node group carries the owner uid and the generation', () => {
    expect(createRequest(desired(gen(4)), NAME, 'k').tags).toMatchObject({ [STAMP_TAGS.ownerUid]: 'uid-1', [STAMP_TAGS.generation]: '4' });
  });

  test('an older generation changes nothing once any node group of the group carries a newer one (the replaced one too)', () => {
    const newer = created(gen(5), { maxSize: 5 });
    expect(() => planApply(desired(gen(4)), [owned(newer)], { foreign: [], idempotencyKey: 'k' })).toThrow(NoLongerWantedError);
    expect(() => planApply(desired(gen(4)), [owned(newer)], { foreign: [], idempotencyKey: 'k' })).toThrow(
      `Node group ${NAME} was last written by generation 5; generation 4 is older and is not applied`,
    );
    // gen 5 replaced the node group and gen 4 still wants the old one: it must not delete gen 5's.
    const replaced = created(gen(3), {}, 0);
    const replacement = created(gen(5), { instanceTypes: ['m5.xlarge'] }, 1);
    expect(() => planApply(desired(gen(4)), [owned(replaced, 0), owned(replacement, 1)], { foreign: [], idempotencyKey: 'k' })).toThrow(NoLongerWantedError);
  });

  test('a newer generation with nothing else to change moves the stamp, without a word in the Ready message', () => {
    const decision = planApply(desired(gen(2)), [owned(created(gen(1)))], { foreign: [], idempotencyKey: 'k' });
    expect(decision).toMatchObject({ action: 'update-tags', summary: `Stamping node group ${NAME} with generation 2` });
    expect(decision.updateTags).toEqual({ resourceArn: `${ARN}-0`, tag: stampTags(gen(2)), untag: [] });
    expect(decision.done).toBeUndefined();
    expect(planApply(desired(gen(2)), [owned(created(gen(2)))], { foreign: [], idempotencyKey: 'k' }).action).toBe('none');
  });

  test('an unstamped (earlier) node group is stamped; one of a former group of the same name is adopted', () => {
    expect(planApply(desired(gen(1)), [owned(created(undefined))], { foreign: [], idempotencyKey: 'k' }).updateTags?.tag).toEqual(stampTags(gen(1)));
    expect(planApply(desired(gen(1)), [owned(created(gen(9, 'uid-old')))], { foreign: [], idempotencyKey: 'k' }).updateTags?.tag).toEqual(stampTags(gen(1)));
  });

  test('a tag change writes the stamp along, and never untags it', () => {
    const decision = planApply(desired(gen(2), { tags: { team: 'b' } }), [owned(created(gen(1), { tags: { old: 'x' } }))], { foreign: [], idempotencyKey: 'k' });
    expect(decision).toMatchObject({ action: 'update-tags', done: expect.stringContaining('tag team=b') });
    expect(decision.updateTags).toEqual({ resourceArn: `${ARN}-0`, tag: { team: 'b', ...stampTags(gen(2)) }, untag: ['old'] });
  });

  test('a delete leaves alone node groups another owner stamped; its own and unstamped ones go', () => {
    const recreated = created(gen(1, 'uid-new'));
    expect(planDelete([owned(recreated)], 'uid-1')).toEqual({
      action: 'none',
      summary: `No node group of this group is left (${NAME} belongs to a group recreated under the same name; left alone)`,
    });
    expect(planDelete([owned(created(gen(3)))], 'uid-1')).toMatchObject({ action: 'delete', nodeGroupName: NAME });
    expect(planDelete([owned(created(undefined))], 'uid-1')).toMatchObject({ action: 'delete', nodeGroupName: NAME });
  });
});

describe('eks-managed stamps: each write reads the stamp right before it', () => {
  const update = { action: 'update-config' as const, nodeGroupName: NAME, summary: '', updateConfig: { clusterName: 'c', nodegroupName: NAME, scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 } } };

  test('Lost update: an older execution retrying its update after a newer one is Ready is refused before UpdateNodegroupConfig', async () => {
    const { client, calls } = stubClient<EKSClient>({ DescribeNodegroup: () => ({ nodegroup: created(gen(5), { maxSize: 5 }) }) });
    await expect(updateNodeGroup(client, 'c', update, gen(4))).rejects.toThrow(NoLongerWantedError);
    expect(calls.map((c) => c.command)).toEqual(['DescribeNodegroup']);
  });

  test('a successful update moves the stamp to its generation', async () => {
    const { client, calls } = stubClient<EKSClient>({
      DescribeNodegroup: () => ({ nodegroup: created(gen(3)) }),
      UpdateNodegroupConfig: () => ({ update: { id: 'u' } }),
      TagResource: () => ({}),
    });
    await updateNodeGroup(client, 'c', update, gen(4));
    expect(calls.map((c) => c.command)).toEqual(['DescribeNodegroup', 'UpdateNodegroupConfig', 'TagResource', 'DescribeNodegroup']);
    expect(calls[2]!.input).toEqual({ resourceArn: `${ARN}-0`, tags: stampTags(gen(4)) });
  });

  test('a tag update that carries the stamp is not followed by a second TagResource', async () => {
    const { client, calls } = stubClient<EKSClient>({ DescribeNodegroup: () => ({ nodegroup: created(gen(3)) }), TagResource: () => ({}) });
    await updateNodeGroup(client, 'c', { action: 'update-tags', nodeGroupName: NAME, summary: '', updateTags: { resourceArn: `${ARN}-0`, tag: stampTags(gen(4)), untag: [] } }, gen(4));
    expect(calls.map((c) => c.command)).toEqual(['DescribeNodegroup', 'TagResource', 'DescribeNodegroup']);
  });

  test('a create is refused when a newer generation already wrote a node group of the group', async () => {
    const { client, calls } = stubClient<EKSClient>({
      ListNodegroups: () => ({ nodegroups: [NAME] }),
      DescribeNodegroup: () => ({ nodegroup: created(gen(5)) }),
    });
    const decision = { action: 'create' as const, nodeGroupName: nodeGroupName(ref, 1), summary: '', create: createRequest(desired(gen(4)), nodeGroupName(ref, 1), 'k') };
    await expect(createNodeGroup(client, ref, decision, { roleJustCreated: false, stamp: gen(4) })).rejects.toThrow(NoLongerWantedError);
    expect(calls.map((c) => c.command)).not.toContain('CreateNodegroup');
  });

  test('an apply does not delete a node group a newer generation wrote', async () => {
    const { client, calls } = stubClient<EKSClient>({ DescribeNodegroup: () => ({ nodegroup: created(gen(5)) }) });
    await expect(deleteNodeGroup(client, 'c', NAME, { stamp: gen(4), operation: 'apply' })).rejects.toThrow(NoLongerWantedError);
    expect(calls.map((c) => c.command)).toEqual(['DescribeNodegroup']);
  });

  test('uid mismatch: a stale delete leaves the recreated group\'s node group alone; its own goes', async () => {
    const theirs = stubClient<EKSClient>({ DescribeNodegroup: () => ({ nodegroup: created(gen(1, 'uid-new')) }) });
    expect(await deleteNodeGroup(theirs.client, 'c', NAME, { stamp: gen(7), operation: 'delete' })).toMatchObject({ status: 'OWNED_BY_ANOTHER_GROUP', settled: true });
    expect(theirs.calls.map((c) => c.command)).toEqual(['DescribeNodegroup']);

    const ours = stubClient<EKSClient>({
      DescribeNodegroup: () => ({ nodegroup: { ...created(gen(7)), status: 'DELETING' } }),
      DeleteNodegroup: () => ({ nodegroup: created(gen(7)) }),
    });
    expect(await deleteNodeGroup(ours.client, 'c', NAME, { stamp: gen(7), operation: 'delete' })).toMatchObject({ status: 'DELETING' });
    expect(ours.calls.map((c) => c.command)).toEqual(['DescribeNodegroup', 'DeleteNodegroup', 'DescribeNodegroup']);
  });
});

describe('eks-managed stamps: Decide Next Change', () => {
  const object = (generation: number, uid = 'uid-1') => groupObject(ref, { provisioner: 'eks-managed', 'eks-managed': { minSize: 1, maxSize: 3 } }, generation, uid);
  const input = (purpose: Purpose, generation: number): DecideInput =>
    decideInput(ref, 'eks-managed', purpose, generation, { spec, role: { nodeRoleArn: ROLE, ours: true, created: false } });
  const eksWith = (nodegroups: Nodegroup[]) =>
    stubClient<EKSClient>({
      ListNodegroups: () => ({ nodegroups: nodegroups.map((n) => n.nodegroupName) }),
      DescribeNodegroup: (i) => ({ nodegroup: nodegroups.find((n) => n.nodegroupName === i.nodegroupName) }),
    });

  test('AWS holding a newer generation\'s work stops the apply as superseded, even when the object read still says otherwise', async () => {
    const { client, calls } = eksWith([created(gen(5), { maxSize: 5 })]);
    const plan = await decideNodeGroup(input('apply', 4), { eks: client, access: fakeAccess({ object: object(4) }) });
    expect(plan).toMatchObject({ action: 'superseded', latestGeneration: 5, report: { phase: 'superseded', latestGeneration: 5 } });
    expect(calls.map((c) => c.command)).toEqual(['ListNodegroups', 'DescribeNodegroup']);
  });

  test('a delete finds the recreated group\'s node group and leaves it: nothing of its own is left', async () => {
    const { client } = eksWith([{ ...created(gen(1, 'uid-new')), tags: { ...ownershipTags(ref), ...stampTags(gen(1, 'uid-new')) } }]);
    const plan = await decideNodeGroup(input('delete', 3), { eks: client, access: fakeAccess({ object: object(1, 'uid-new') }) });
    expect(plan).toMatchObject({ action: 'none', summary: expect.stringContaining('belongs to a group recreated under the same name') });
  });
});
