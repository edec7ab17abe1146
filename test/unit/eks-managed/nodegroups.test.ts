// The EKS calls moto cannot answer (UpdateNodegroupVersion, tags on a node group, the CREATING / UPDATING /
// DEGRADED / *_FAILED states, busy answers), on a stubbed client.
import type { EKSClient, Nodegroup } from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, ResourceBusyError, RetryableError, TerminalError } from '../../../core/errors/index.js';
import { nodeGroupName, ownershipTags } from '../../../core/names/index.js';
import { checkNodeGroup, createNodeGroup, deleteNodeGroup, findNodeGroups, updateNodeGroup } from '../../../functions/eks-managed/nodegroups.js';
import type { NodeGroupDecision } from '../../../functions/eks-managed/plan.js';
import { awsError, stubClient } from './stub-eks.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'workers' };
const NAME = nodeGroupName(ref, 0);
const ng = (over: Partial<Nodegroup> = {}): Nodegroup => ({ nodegroupName: NAME, status: 'ACTIVE', tags: ownershipTags(ref), ...over });

describe('eks-managed: EKS calls on a stubbed client', () => {
  test('UpdateNodegroupVersion (moto answers 404) is sent with the decided version and release, then the node group is read', async () => {
    const { client, calls } = stubClient<EKSClient>({
      UpdateNodegroupVersion: () => ({ update: { id: 'u-1', status: 'InProgress' } }),
      DescribeNodegroup: () => ({ nodegroup: ng({ status: 'UPDATING' }) }),
    });
    const decision: NodeGroupDecision = {
      action: 'update-version',
      nodeGroupName: NAME,
      summary: '',
      updateVersion: { clusterName: 'c', nodegroupName: NAME, version: '1.32', releaseVersion: '1.32.0-20250101' },
    };
    const progress = await updateNodeGroup(client, 'c', decision);
    expect(calls.map((c) => c.command)).toEqual(['UpdateNodegroupVersion', 'DescribeNodegroup']);
    expect(calls[0]!.input).toEqual({ clusterName: 'c', nodegroupName: NAME, version: '1.32', releaseVersion: '1.32.0-20250101' });
    expect(progress).toMatchObject({ status: 'UPDATING', settled: false, waitFor: 'active', polls: 0 });
  });

  test('tags (moto tags clusters only): TagResource for new values, UntagResource for removed keys', async () => {
    const { client, calls } = stubClient<EKSClient>({
      TagResource: () => ({}),
      UntagResource: () => ({}),
      DescribeNodegroup: () => ({ nodegroup: ng() }),
    });
    const progress = await updateNodeGroup(client, 'c', {
      action: 'update-tags',
      nodeGroupName: NAME,
      summary: '',
      updateTags: { resourceArn: 'arn:ng', tag: { team: 'b' }, untag: ['old'] },
    });
    expect(calls.slice(0, 2)).toEqual([
      { command: 'TagResource', input: { resourceArn: 'arn:ng', tags: { team: 'b' } } },
      { command: 'UntagResource', input: { resourceArn: 'arn:ng', tagKeys: ['old'] } },
    ]);
    expect(progress.settled).toBe(true);
  });

  test('an update while EKS is still busy with the node group is ResourceBusyError (the state machine retries it)', async () => {
    const { client } = stubClient<EKSClient>({
      UpdateNodegroupConfig: () => {
        throw awsError('ResourceInUseException', 'Nodegroup is currently UPDATING', 409);
      },
    });
    await expect(
      updateNodeGroup(client, 'c', { action: 'update-config', nodeGroupName: NAME, summary: '', updateConfig: { clusterName: 'c', nodegroupName: NAME } }),
    ).rejects.toThrow(ResourceBusyError);
  });

  test('progress: CREATING and UPDATING wait; ACTIVE and DEGRADED are done; CREATE_FAILED fails with the health issues', async () => {
    const answer = { nodegroup: ng({ status: 'CREATING' }) };
    const { client } = stubClient<EKSClient>({ DescribeNodegroup: () => answer });
    expect(await checkNodeGroup(client, 'c', NAME, 'active', 1, 10)).toMatchObject({ settled: false, status: 'CREATING' });
    answer.nodegroup = ng({ status: 'DEGRADED' });
    expect(await checkNodeGroup(client, 'c', NAME, 'active', 2, 10)).toMatchObject({ settled: true, status: 'DEGRADED' });
    answer.nodegroup = ng({ status: 'CREATE_FAILED', health: { issues: [{ code: 'NodeCreationFailure', message: 'Instances failed to join', resourceIds: ['i-1'] }] } });
    await expect(checkNodeGroup(client, 'c', NAME, 'active', 3, 10)).rejects.toThrow(ProvisioningFailedError);
    await expect(checkNodeGroup(client, 'c', NAME, 'active', 3, 10)).rejects.toThrow('NodeCreationFailure: Instances failed to join (i-1)');
  });

  test('progress of a delete: DELETING waits, gone is done, DELETE_FAILED fails; the loop is bounded', async () => {
    const state: { answer: () => unknown } = { answer: () => ({ nodegroup: ng({ status: 'DELETING' }) }) };
    const { client } = stubClient<EKSClient>({ DescribeNodegroup: () => state.answer() });
    expect(await checkNodeGroup(client, 'c', NAME, 'gone', 1, 10)).toMatchObject({ settled: false });
    await expect(checkNodeGroup(client, 'c', NAME, 'gone', 10, 10)).rejects.toThrow(TerminalError);
    await expect(checkNodeGroup(client, 'c', NAME, 'gone', 10, 10)).rejects.toThrow(`Node group ${NAME} is still DELETING after 10 checks`);
    state.answer = () => ({ nodegroup: ng({ status: 'DELETE_FAILED' }) });
    await expect(checkNodeGroup(client, 'c', NAME, 'gone', 2, 10)).rejects.toThrow(ProvisioningFailedError);
    state.answer = () => {
      throw awsError('ResourceNotFoundException', 'No node group found', 404);
    };
    expect(await checkNodeGroup(client, 'c', NAME, 'gone', 3, 10)).toMatchObject({ settled: true, status: 'GONE' });
  });

  test('finding the group\'s node groups describes only names it can have; a look-alike without our tags is foreign', async () => {
    const r1 = nodeGroupName(ref, 1);
    const { client, calls } = stubClient<EKSClient>({
      ListNodegroups: (input) => (input.nextToken ? { nodegroups: [r1] } : { nodegroups: ['someone-elses', NAME], nextToken: 't' }),
      DescribeNodegroup: (input) => ({ nodegroup: ng({ nodegroupName: String(input.nodegroupName), tags: input.nodegroupName === r1 ? {} : ownershipTags(ref) }) }),
    });
    const found = await findNodeGroups(client, ref);
    expect(found.owned.map((o) => [o.revision, o.nodegroup.nodegroupName])).toEqual([[0, NAME]]);
    expect(found.foreign).toEqual([r1]);
    expect(calls.filter((c) => c.command === 'DescribeNodegroup').map((c) => c.input.nodegroupName)).toEqual([NAME, r1]);
  });

  test('a cluster that does not exist is reported as missing, not as an error', async () => {
    const { client } = stubClient<EKSClient>({
      ListNodegroups: () => {
        throw awsError('ResourceNotFoundException', 'No cluster found for name: c.', 404);
      },
    });
    expect(await findNodeGroups(client, ref)).toEqual({ owned: [], foreign: [], clusterMissing: true });
  });

  test('create: an identical create that already happened is adopted; a foreign node group of that name is a NameConflictError', async () => {
    const decision: NodeGroupDecision = { action: 'create', nodeGroupName: NAME, summary: '', create: { clusterName: 'c', nodegroupName: NAME, nodeRole: 'r', subnets: [] } };
    const exists = () => {
      throw awsError('ResourceInUseException', `NodeGroup already exists with name ${NAME} and cluster name c`, 409);
    };
    const ours = stubClient<EKSClient>({ CreateNodegroup: exists, DescribeNodegroup: () => ({ nodegroup: ng({ status: 'CREATING' }) }) });
    expect(await createNodeGroup(ours.client, ref, decision, { roleJustCreated: false })).toMatchObject({ settled: false, status: 'CREATING' });
    const theirs = stubClient<EKSClient>({ CreateNodegroup: exists, DescribeNodegroup: () => ({ nodegroup: ng({ tags: {} }) }) });
    await expect(createNodeGroup(theirs.client, ref, decision, { roleJustCreated: false })).rejects.toThrow(NameConflictError);
  });

  test('create: a node role created moments ago that EKS does not accept yet is retried, otherwise it is AWS\'s refusal', async () => {
    const decision: NodeGroupDecision = { action: 'create', nodeGroupName: NAME, summary: '', create: { clusterName: 'c', nodegroupName: NAME, nodeRole: 'arn:role', subnets: [] } };
    const { client } = stubClient<EKSClient>({
      CreateNodegroup: () => {
        throw awsError('InvalidParameterException', 'The provided role doesn\'t have the Amazon EKS Managed Policies associated with it');
      },
    });
    await expect(createNodeGroup(client, ref, decision, { roleJustCreated: true })).rejects.toThrow(RetryableError);
    await expect(createNodeGroup(client, ref, decision, { roleJustCreated: false })).rejects.toThrow('Creating node group');
    await expect(createNodeGroup(client, ref, decision, { roleJustCreated: false })).rejects.not.toThrow(RetryableError);
  });

  test('delete: a node group already gone is done; one still busy is ResourceBusyError', async () => {
    const gone = stubClient<EKSClient>({
      DeleteNodegroup: () => {
        throw awsError('ResourceNotFoundException', 'No node group found', 404);
      },
    });
    expect(await deleteNodeGroup(gone.client, 'c', NAME)).toMatchObject({ settled: true, status: 'GONE' });
    const busy = stubClient<EKSClient>({
      DeleteNodegroup: () => {
        throw awsError('ResourceInUseException', 'Nodegroup is currently CREATING', 409);
      },
    });
    await expect(deleteNodeGroup(busy.client, 'c', NAME)).rejects.toThrow(ResourceBusyError);
  });
});
