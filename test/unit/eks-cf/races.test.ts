// Overlapping executions of one group (issue 14): an older apply never writes over a newer one, a delete never
// reports deleted while an apply could still create, a delete for an old uid leaves the recreated group alone, and
// a stack stuck in progress ends in bounded time.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { NoLongerWantedError, ProvisioningFailedError, ResourceBusyError } from '../../../core/errors/index.js';
import type { InstanceGroup } from '../../../core/spec/types.js';
import { applyStack, startDelete } from '../../../functions/eks-cf/stack.js';
import { fenceWaitSeconds } from '../../../functions/shared/delete-fence.js';
import { loadGroup } from '../../../functions/shared/group.js';
import { STAMP_TAGS } from '../../../functions/shared/stamp.js';
import { assertStillWanted } from '../../../functions/shared/still-wanted.js';
import { loadAsl } from '../../../core/workflows/bindings.js';
import { fakeAccess } from '../eks-managed/fake-access.js';

type Sent = { name: string; input: any };

function stubClient(answers: Record<string, (input: any) => unknown>, sent: Sent[] = []): CloudFormationClient {
  return {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      const answer = answers[command.constructor.name];
      if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
      return answer(command.input);
    },
  } as unknown as CloudFormationClient;
}

const TEMPLATE = { Resources: {} };
const rendered = { stackName: 's', template: TEMPLATE, tags: { a: 'b' } } as never;
const stamped = (uid: string, generation: number, extra: Record<string, unknown> = {}) => ({
  StackName: 's',
  StackStatus: 'UPDATE_COMPLETE',
  Tags: [
    { Key: 'a', Value: 'b' },
    { Key: STAMP_TAGS.ownerUid, Value: uid },
    { Key: STAMP_TAGS.generation, Value: String(generation) },
  ],
  ...extra,
});
const template = () => ({ TemplateBody: JSON.stringify(TEMPLATE) });

describe('LostUpdate: an older execution never writes over a newer generation', () => {
  it('refuses to update a stack that generation 3 of the same owner wrote, when it applies generation 2', async () => {
    const sent: Sent[] = [];
    const cf = stubClient({ DescribeStacksCommand: () => ({ Stacks: [stamped('u1', 3)] }), GetTemplateCommand: template }, sent);
    const changed = { ...(rendered as object), template: { Resources: { X: {} } } } as never;
    await expect(applyStack(cf, changed, { stamp: { uid: 'u1', generation: 2 } })).rejects.toBeInstanceOf(NoLongerWantedError);
    expect(sent.map((s) => s.name)).not.toContain('UpdateStackCommand');
  });

  it('stamps the owner uid and the generation on create', async () => {
    const sent: Sent[] = [];
    let created = false;
    const cf = stubClient(
      {
        DescribeStacksCommand: () => {
          if (!created) throw Object.assign(new Error('Stack with id s does not exist'), { name: 'ValidationError' });
          return { Stacks: [stamped('u1', 4, { StackStatus: 'CREATE_IN_PROGRESS' })] };
        },
        CreateStackCommand: () => ((created = true), {}),
      },
      sent,
    );
    await applyStack(cf, rendered, { stamp: { uid: 'u1', generation: 4 } });
    const tags = sent.find((s) => s.name === 'CreateStackCommand')!.input.Tags;
    expect(tags).toEqual(expect.arrayContaining([{ Key: STAMP_TAGS.ownerUid, Value: 'u1' }, { Key: STAMP_TAGS.generation, Value: '4' }]));
  });

  it('a newer generation that changes nothing leaves the stack alone (the stamp alone is no reason to update)', async () => {
    const sent: Sent[] = [];
    const cf = stubClient({ DescribeStacksCommand: () => ({ Stacks: [stamped('u1', 1)] }), GetTemplateCommand: template }, sent);
    await expect(applyStack(cf, rendered, { stamp: { uid: 'u1', generation: 2 } })).resolves.toMatchObject({ action: 'unchanged' });
  });

  it('a group recreated under the same name adopts the stack and restamps it with its own uid', async () => {
    const sent: Sent[] = [];
    const cf = stubClient(
      { DescribeStacksCommand: () => ({ Stacks: [stamped('old', 7)] }), GetTemplateCommand: template, UpdateStackCommand: () => ({}) },
      sent,
    );
    await expect(applyStack(cf, rendered, { stamp: { uid: 'new', generation: 1 } })).resolves.toMatchObject({ action: 'updated' });
    expect(sent.find((s) => s.name === 'UpdateStackCommand')!.input.Tags).toContainEqual({ Key: STAMP_TAGS.ownerUid, Value: 'new' });
  });

  it('an update that races another operation is retried as busy, not failed', async () => {
    const cf = stubClient({
      DescribeStacksCommand: () => ({ Stacks: [stamped('u1', 1)] }),
      GetTemplateCommand: template,
      UpdateStackCommand: () => {
        throw Object.assign(new Error('Stack:s is in UPDATE_IN_PROGRESS state and can not be updated.'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
      },
    });
    const changed = { ...(rendered as object), template: { Resources: { X: {} } } } as never;
    await expect(applyStack(cf, changed, { stamp: { uid: 'u1', generation: 2 } })).rejects.toBeInstanceOf(ResourceBusyError);
  });
});

function group(generation: number, extra: Partial<InstanceGroup['metadata']> = {}): InstanceGroup {
  return {
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { namespace: 'ns', name: 'g', uid: 'u1', generation, resourceVersion: '1', ...extra },
    spec: { provisioner: 'eks-cf' },
  } as unknown as InstanceGroup;
}
const state = (operation: 'apply' | 'delete', generation: number, uid = 'u1') =>
  ({
    change: { cluster: { name: 'c', defaults: {} }, group: { namespace: 'ns', name: 'g', uid, generation, resourceVersion: '1' }, operation, attempt: 1 },
    execution: { arn: 'arn', name: 'n' },
  }) as never;

describe('SupersededGeneration: every mutating step re-reads the group right before it calls AWS', () => {
  it('goes on for the current generation', async () => {
    await expect(assertStillWanted(state('apply', 2), fakeAccess({ object: group(2) }))).resolves.toBeUndefined();
  });
  it('stops when a newer generation exists', async () => {
    await expect(assertStillWanted(state('apply', 2), fakeAccess({ object: group(3) }))).rejects.toThrow(/generation 3 replaced generation 2/);
  });
  it('stops when the group is being deleted', async () => {
    await expect(
      assertStillWanted(state('apply', 2), fakeAccess({ object: group(2, { deletionTimestamp: new Date().toISOString() }) })),
    ).rejects.toBeInstanceOf(NoLongerWantedError);
  });
  it('stops when the group is gone', async () => {
    await expect(assertStillWanted(state('apply', 2), fakeAccess({}))).rejects.toBeInstanceOf(NoLongerWantedError);
  });

  it.each([
    ['eks-cf-apply', ['Create Or Update Stack']],
    ['eks-managed-apply', ['Create Node Group', 'Update Size, Labels And Taints', 'Update Kubernetes Version', 'Update Tags']],
    ['eks-fargate-apply', ['Create Fargate Profile']],
  ])('%s ends successfully, without a failure report, when a mutating step finds its generation unwanted', (file, steps) => {
    const asl = loadAsl(`${file}.asl.json`);
    for (const step of steps) {
      const catches = (asl.States[step] as unknown as { Catch: { ErrorEquals: string[]; Next: string }[] }).Catch;
      expect({ step, first: catches[0] }).toMatchObject({ step, first: { ErrorEquals: ['NoLongerWantedError'], Next: 'Stopped: No Longer Wanted' } });
    }
    expect(asl.States['Stopped: No Longer Wanted']).toMatchObject({ Type: 'Succeed' });
  });
});

describe('UidMismatch: a delete for an older uid is not current', () => {
  it('a delete whose uid differs from the object of that name stops as not-deleting', async () => {
    const recreated = group(1, { uid: 'u2', deletionTimestamp: new Date().toISOString() });
    await expect(loadGroup(state('delete', 1, 'u1'), fakeAccess({ object: recreated }))).resolves.toMatchObject({ outcome: 'not-deleting' });
  });
  it('a delete of an object that is gone is still current (its resources may remain)', async () => {
    await expect(loadGroup(state('delete', 1, 'u1'), fakeAccess({}))).resolves.toMatchObject({ outcome: 'current' });
  });
  it('the stack of the group recreated under the same name is not deleted by the old uid', async () => {
    const sent: Sent[] = [];
    const cf = stubClient({ DescribeStacksCommand: () => ({ Stacks: [stamped('u2', 1)] }) }, sent);
    await expect(startDelete(cf, 's', 'u1')).resolves.toMatchObject({ gone: true, status: 'OWNED_BY_ANOTHER_GROUP' });
    expect(sent.map((s) => s.name)).not.toContain('DeleteStackCommand');
  });
});

describe('DeleteBeforeCreate: a delete that finds nothing waits out any apply that began before the deletion', () => {
  const deletedAt = Date.parse('2026-01-01T00:00:00Z');
  it('waits out the rest of the fence within it', () => {
    expect(fenceWaitSeconds(new Date(deletedAt).toISOString(), deletedAt + 10_000, 120_000)).toBe(110);
  });
  it('goes on once the fence has passed', () => {
    expect(fenceWaitSeconds(new Date(deletedAt).toISOString(), deletedAt + 121_000, 120_000)).toBe(0);
  });
});

describe('StuckStack: a stack that never leaves an in-progress state ends in bounded time', () => {
  const now = Date.parse('2026-01-01T03:00:00Z');
  const twoHoursAgo = new Date(now - 2 * 3600_000);
  const inProgress = (status: string, since: Date) => () => ({ Stacks: [{ StackName: 's', StackStatus: status, CreationTime: since, Tags: [] }] });

  it('a create stuck with nothing created is deleted, so the next attempt creates it again', async () => {
    const sent: Sent[] = [];
    const cf = stubClient(
      { DescribeStacksCommand: inProgress('CREATE_IN_PROGRESS', twoHoursAgo), ListStackResourcesCommand: () => ({ StackResourceSummaries: [] }), DeleteStackCommand: () => ({}) },
      sent,
    );
    await expect(applyStack(cf, rendered, { now: () => now })).rejects.toThrow(/deleted it to create it again/);
    expect(sent.map((s) => s.name)).toContain('DeleteStackCommand');
  });

  it('a stuck stack that created something ends in an error that says what to do', async () => {
    const cf = stubClient({
      DescribeStacksCommand: inProgress('CREATE_IN_PROGRESS', twoHoursAgo),
      ListStackResourcesCommand: () => ({ StackResourceSummaries: [{ LogicalResourceId: 'NodeInstanceRole', PhysicalResourceId: 'r' }] }),
    });
    const error = await applyStack(cf, rendered, { now: () => now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningFailedError);
    expect((error as Error).message).toMatch(/CREATE_IN_PROGRESS for 120 minutes.*imctl replay/);
  });

  it('a recent operation in progress is only waited for', async () => {
    const cf = stubClient({ DescribeStacksCommand: inProgress('UPDATE_IN_PROGRESS', new Date(now - 60_000)) });
    await expect(applyStack(cf, rendered, { now: () => now })).rejects.toBeInstanceOf(ResourceBusyError);
  });
});
