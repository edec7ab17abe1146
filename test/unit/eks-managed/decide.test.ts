import type { EKSClient, Nodegroup } from '@aws-sdk/client-eks';
import { MissingReferenceError, TerminalError } from '../../../core/errors/index.js';
import type { InstanceGroupChange } from '../../../core/events/index.js';
import { nodeGroupName, ownershipTags } from '../../../core/names/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import { decideNodeGroup, type DecideInput } from '../../../functions/eks-managed/decide.js';
import { createRequest } from '../../../functions/eks-managed/plan.js';
import { fakeAccess } from './fake-access.js';
import { awsError, stubClient } from './stub-eks.js';
import { eksManagedSpec } from '../../support/eks-managed-spec.js';

const ref = { clusterName: 'c', namespace: 'team-a', name: 'workers' };
const ROLE = 'arn:aws:iam::123456789012:role/nodes';
const spec = eksManagedSpec();

function object(generation: number, deleting = false): InstanceGroup {
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name: 'workers', namespace: 'team-a', uid: 'uid-1', generation, resourceVersion: '1', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { provisioner: 'eks-managed', 'eks-managed': { minSize: 1, maxSize: 3 } },
  };
}

function input(over: Partial<DecideInput> = {}): DecideInput {
  const change = {
    version: 1,
    cluster: { name: 'c', defaults: {} },
    group: { namespace: 'team-a', name: 'workers', uid: 'uid-1', generation: 1, resourceVersion: '1' },
    provisioner: 'eks-managed',
    operation: 'apply',
    reason: 'updated',
    attempt: 1,
    spec: {},
    sentAt: '',
  } as unknown as InstanceGroupChange;
  return {
    change,
    execution: { arn: 'arn:exec', name: 'run' },
    group: { outcome: 'current', latestGeneration: 1, ref, spec, recorded: {} },
    role: { nodeRoleArn: ROLE, ours: true, created: false },
    plan: { action: 'start', pass: 0, history: [] },
    purpose: 'apply',
    maxPasses: 5,
    ...over,
  };
}

function eksWith(nodegroups: Nodegroup[]) {
  return stubClient<EKSClient>({
    ListNodegroups: () => ({ nodegroups: nodegroups.map((n) => n.nodegroupName) }),
    DescribeNodegroup: (i) => ({ nodegroup: nodegroups.find((n) => n.nodegroupName === i.nodegroupName) }),
    DescribeCluster: () => ({ cluster: { name: 'c' } }),
  });
}

/** A node group this execution (uid-1, generation 1) created: it carries the execution's stamp. */
const active = (): Nodegroup => {
  const req = createRequest({ ref, spec, nodeRoleArn: ROLE, stamp: { uid: 'uid-1', generation: 1 } }, nodeGroupName(ref, 0), 'k');
  return { ...req, status: 'ACTIVE', scalingConfig: req.scalingConfig, health: { issues: [] }, tags: req.tags } as Nodegroup;
};

describe('eks-managed: Decide Next Change', () => {
  test('a newer generation stops the execution before any AWS call, with the superseded report ready', async () => {
    const { client, calls } = eksWith([]);
    const plan = await decideNodeGroup(input(), { eks: client, access: fakeAccess({ object: object(2) }) });
    expect(plan).toMatchObject({ action: 'superseded', latestGeneration: 2, report: { phase: 'superseded', latestGeneration: 2 } });
    expect(calls).toEqual([]);
  });

  test('a group being deleted or gone stops the apply too', async () => {
    const { client } = eksWith([]);
    expect((await decideNodeGroup(input(), { eks: client, access: fakeAccess({ object: object(1, true) }) })).action).toBe('deleting');
    expect((await decideNodeGroup(input(), { eks: client, access: fakeAccess({}) })).action).toBe('gone');
  });

  test('the changes made are collected into the Ready message', async () => {
    const { client } = eksWith([active()]);
    const plan = await decideNodeGroup(input({ plan: { action: 'create', pass: 1, history: ['Created node group x'] } }), {
      eks: client,
      access: fakeAccess({ object: object(1) }),
    });
    expect(plan).toMatchObject({ action: 'none', pass: 2 });
    expect(plan.report).toEqual({
      phase: 'ready',
      observed: expect.objectContaining({ nodeGroupName: nodeGroupName(ref, 0), currentMin: 1, currentMax: 3 }),
      message: `Created node group x. Node group ${nodeGroupName(ref, 0)} matches the spec.`,
      nodes: { desired: 1, ready: 1, checked: true, message: 'EKS reports the node group ACTIVE: 1 of 1 nodes joined.' },
    });
  });

  test('the loop is bounded: past maxPasses it fails saying what was done', async () => {
    const { client } = eksWith([active()]);
    const run = decideNodeGroup(input({ plan: { action: 'update-config', pass: 5, history: ['Updated a', 'Updated b'] } }), {
      eks: client,
      access: fakeAccess({ object: object(1) }),
    });
    await expect(run).rejects.toThrow(TerminalError);
    await expect(
      decideNodeGroup(input({ plan: { action: 'update-config', pass: 5, history: ['Updated a'] } }), { eks: client, access: fakeAccess({ object: object(1) }) }),
    ).rejects.toThrow('still need changes after 5 rounds (Updated a)');
  });

  test('a cluster that disappeared is a MissingReferenceError on apply, and nothing left to delete on delete', async () => {
    const { client } = stubClient<EKSClient>({
      ListNodegroups: () => {
        throw awsError('ResourceNotFoundException', 'No cluster found', 404);
      },
    });
    await expect(decideNodeGroup(input(), { eks: client, access: fakeAccess({ object: object(1) }) })).rejects.toThrow(MissingReferenceError);
    const plan = await decideNodeGroup(input({ purpose: 'delete' }), { eks: client, access: fakeAccess({}) });
    expect(plan).toMatchObject({ action: 'none', message: 'EKS cluster c no longer exists; nothing left to delete there' });
  });

  test('delete: node groups go one decision at a time, and the history says which', async () => {
    const ng = { ...active(), tags: ownershipTags(ref) };
    const { client } = eksWith([ng]);
    const plan = await decideNodeGroup(input({ purpose: 'delete' }), { eks: client, access: fakeAccess({ object: object(1, true) }) });
    expect(plan).toMatchObject({ action: 'delete', nodeGroupName: nodeGroupName(ref, 0), history: [`Deleted node group ${nodeGroupName(ref, 0)}`] });
  });

  test('DeleteBeforeCreate: "nothing left" right after the deletion waits in the state machine for any apply that began before it', async () => {
    const { client } = eksWith([]);
    const justDeleted = object(1, true);
    justDeleted.metadata.deletionTimestamp = new Date().toISOString();
    const plan = await decideNodeGroup(input({ purpose: 'delete' }), { eks: client, access: fakeAccess({ object: justDeleted }) });
    expect(plan).toMatchObject({ action: 'await-earlier-applies', summary: expect.stringContaining('any apply that began before the deletion') });
    expect(plan.waitSeconds).toBeGreaterThan(100);
    // Waiting is not a round of changes.
    expect(plan.pass).toBe(0);
    // Long after the deletion, nothing left is nothing left.
    await expect(decideNodeGroup(input({ purpose: 'delete' }), { eks: client, access: fakeAccess({ object: object(1, true) }) })).resolves.toMatchObject({ action: 'none' });
  });
});

describe('eks-managed: an update EKS accepted but does not show yet', () => {
  test('is waited for, never sent twice in a row', async () => {
    const ng = active();
    ng.scalingConfig = { minSize: 1, maxSize: 2, desiredSize: 1 }; // the spec says max 3
    const { client } = eksWith([ng]);
    const deps = { eks: client, access: fakeAccess({ object: object(1) }) };
    const first = await decideNodeGroup(input(), deps);
    expect(first).toMatchObject({ action: 'update-config', sent: expect.any(String) });
    const second = await decideNodeGroup(input({ plan: first }), deps);
    expect(second).toMatchObject({ action: 'wait', nodeGroupName: nodeGroupName(ref, 0), waitFor: 'active', sent: first.sent });
    ng.scalingConfig = { minSize: 1, maxSize: 3, desiredSize: 1 };
    expect((await decideNodeGroup(input({ plan: second }), deps)).action).toBe('none');
  });
});
