import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ClusterIdentity } from '../../../core/events/index.js';
import type { ClusterAccess } from '../../../core/kube/access.js';
import type { KubeRest } from '../../../core/kube/rest.js';
import { ownershipTags } from '../../../core/names/index.js';
import {
  WAIT_ANNOTATION,
  awaitStack,
  handleStackStatusChange,
  stackOutcome,
  type StackStatusChangeEvent,
  type StackWait,
} from '../../../functions/eks-cf/stack-events.js';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.js';
import { GROUP_CLUSTER_TAG, groupClusterTagValue, parseGroupClusterTag } from '../../../functions/eks-cf/group-cluster-tag.js';
import { silent } from '../stepfunctions/helpers.js';
import { startTokenWait, type TokenWait } from './token-wait.js';

const STACK = 'my-eks-cluster-default-hello-world-ab12cd';
const STACK_ID = `arn:aws:cloudformation:us-west-2:123456789012:stack/${STACK}/0f0e`;
const ref = { clusterName: 'my-eks-cluster', namespace: 'default', name: 'hello-world' };

const event = (status: string, reason = ''): StackStatusChangeEvent => ({
  id: 'ev-1',
  time: '2026-12-01T00:00:00Z',
  'detail-type': 'CloudFormation Stack Status Change',
  source: 'aws.cloudformation',
  detail: { 'stack-id': STACK_ID, 'status-details': { status, 'status-reason': reason } },
});

// Unit test: CloudFormation and the cluster are stubbed; Step Functions is the local runtime, so the token is real.
function stubs(annotation: StackWait | undefined, tags: Record<string, string> = ownershipTags(ref)) {
  const cloudformation = {
    send: async () => ({ Stacks: [{ StackName: STACK, StackId: STACK_ID, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] }),
  } as unknown as CloudFormationClient;
  const group = { metadata: { ...ref, annotations: annotation ? { [WAIT_ANNOTATION]: JSON.stringify(annotation) } : {} } };
  const connected: ClusterIdentity[] = [];
  const clusterAccess: ClusterAccess = {
    connect: async (cluster) => {
      connected.push(cluster);
      return { get: async () => group } as unknown as KubeRest;
    },
  };
  return { cloudformation, clusterAccess, connected };
}

describe('CloudFormation stack status events hand the eks-cf wait back to its workflow', () => {
  let sfn: LocalStepFunctions;
  let client: SFNClient;
  let parked: TokenWait;

  beforeAll(async () => {
    parked = await startTokenWait('wait-stack', { state: 'Wait For CloudFormation', functionArn: 'AwaitStackFunctionArn', resultPath: '$.event', catchFailure: true });
    ({ sfn, client } = parked);
  });
  afterAll(() => parked.close());

  async function waiting(name: string, purpose: StackWait['purpose'] = 'apply'): Promise<{ executionArn: string; wait: StackWait }> {
    const { executionArn, taskToken } = await parked.park(name);
    return { executionArn, wait: { taskToken, stackName: STACK, purpose, executionArn } };
  }

  it('classifies stack statuses for apply and delete waits', () => {
    expect(stackOutcome('CREATE_COMPLETE', 'apply')).toBe('settled');
    expect(stackOutcome('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'apply')).toBe('in-progress');
    expect(stackOutcome('UPDATE_ROLLBACK_COMPLETE', 'apply')).toBe('failed');
    expect(stackOutcome('ROLLBACK_COMPLETE', 'apply')).toBe('failed');
    expect(stackOutcome('DELETE_COMPLETE', 'delete')).toBe('settled');
    expect(stackOutcome('DELETE_FAILED', 'delete')).toBe('failed');
  });

  it('a settled stack completes the wait with SendTaskSuccess', async () => {
    const { executionArn, wait } = await waiting('settled');
    const result = await handleStackStatusChange(event('CREATE_COMPLETE'), { ...stubs(wait), sfn: client, log: silent });
    expect(result).toEqual({ handed: 'success', stackName: STACK, status: 'CREATE_COMPLETE', executionArn });
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).event).toEqual({ stackStatus: 'CREATE_COMPLETE', eventTime: '2026-12-01T00:00:00Z', seenBy: 'stack-event' });
    // The same event again (EventBridge delivers at least once): the token is spent, nothing else happens.
    await expect(handleStackStatusChange(event('CREATE_COMPLETE'), { ...stubs(wait), sfn: client, log: silent })).resolves.toEqual({ skipped: 'token-spent', status: 'CREATE_COMPLETE' });
  });

  it("finds the group in the cluster it lives in (the group-cluster tag), not the cluster its spec names", async () => {
    const { executionArn, wait } = await waiting('multi-cluster');
    const home = { name: 'relay-cluster', region: 'eu-west-1', accountId: '210987654321' };
    // spec.clusterName (the ownership cluster tag) is my-eks-cluster; the object lives in relay-cluster.
    const deps = stubs(wait, { ...ownershipTags(ref), [GROUP_CLUSTER_TAG]: groupClusterTagValue(home) });
    await expect(handleStackStatusChange(event('CREATE_COMPLETE'), { ...deps, sfn: client, log: silent })).resolves.toMatchObject({ handed: 'success' });
    expect(deps.connected).toEqual([home]);
    await sfn.waitForExecution(executionArn);

    // A stack tagged before the group-cluster tag existed: the ownership cluster tag, as before.
    const legacy = stubs(undefined);
    await handleStackStatusChange(event('CREATE_COMPLETE'), { ...legacy, sfn: client, log: silent });
    expect(legacy.connected).toEqual([{ name: ref.clusterName }]);
  });

  it('the group-cluster tag holds the EKS ARN when region and account are known, else the name, and reads back', () => {
    const full = { name: 'c1', region: 'cn-north-1', accountId: '123456789012' };
    expect(groupClusterTagValue(full)).toBe('arn:aws-cn:eks:cn-north-1:123456789012:cluster/c1');
    expect(parseGroupClusterTag(groupClusterTagValue(full))).toEqual(full);
    expect(groupClusterTagValue({ name: 'c1' })).toBe('c1');
    expect(parseGroupClusterTag('c1')).toEqual({ name: 'c1' });
    expect(parseGroupClusterTag('')).toBeUndefined();
  });

  it('a failed stack fails the wait with SendTaskFailure carrying the status and reason', async () => {
    const { executionArn, wait } = await waiting('failed');
    await handleStackStatusChange(event('ROLLBACK_COMPLETE', 'The following resource(s) failed to create: [NodeGroup]'), { ...stubs(wait), sfn: client, log: silent });
    const done = await sfn.waitForExecution(executionArn);
    expect(JSON.parse(done.output!).event).toEqual({ Error: 'StackSettledInFailure', Cause: 'ROLLBACK_COMPLETE: The following resource(s) failed to create: [NodeGroup]' });
  });

  it('ignores in-progress statuses, stacks that are not ours, groups with no wait, and waits for another stack', async () => {
    const { executionArn, wait } = await waiting('ignored');
    const deps = { sfn: client, log: silent };
    await expect(handleStackStatusChange(event('UPDATE_IN_PROGRESS'), { ...stubs(wait), ...deps })).resolves.toMatchObject({ skipped: 'in-progress' });
    await expect(handleStackStatusChange(event('CREATE_COMPLETE'), { ...stubs(wait, { team: 'x' }), ...deps })).resolves.toMatchObject({ skipped: 'not-ours' });
    await expect(handleStackStatusChange(event('CREATE_COMPLETE'), { ...stubs(undefined), ...deps })).resolves.toMatchObject({ skipped: 'no-wait' });
    await expect(handleStackStatusChange(event('CREATE_COMPLETE'), { ...stubs({ ...wait, stackName: 'another' }), ...deps })).resolves.toMatchObject({ skipped: 'other-stack' });
    expect(sfn.openTaskTokens(executionArn)).toHaveLength(1);
    await sfn.stopExecution({ executionArn });
  });

  describe('the waiting side (eks-cf-wait-for-cloudformation)', () => {
    function awaitDeps(stackStatus: string) {
      const patches: { method: string; path: string; options: any }[] = [];
      const kube = { request: async (method: string, path: string, options: unknown) => void patches.push({ method, path, options }) };
      const cloudformation = { send: async () => ({ Stacks: [{ StackName: STACK, StackStatus: stackStatus }] }) } as unknown as CloudFormationClient;
      return { patches, deps: { cloudformation, sfn: client, clusterAccess: { connect: async () => kube as unknown as KubeRest } } };
    }

    it('leaves the token on the group and keeps waiting while the stack is in progress', async () => {
      const { executionArn, wait } = await waiting('await-in-progress');
      const { patches, deps } = awaitDeps('CREATE_IN_PROGRESS');
      await expect(awaitStack({ cluster: { name: ref.clusterName }, ref, wait }, deps)).resolves.toEqual({ waiting: true, status: 'CREATE_IN_PROGRESS' });
      expect(patches).toEqual([
        {
          method: 'PATCH',
          path: '/apis/instancemgr.keikoproj.io/v1alpha1/namespaces/default/instancegroups/hello-world',
          options: { body: { metadata: { annotations: { [WAIT_ANNOTATION]: JSON.stringify(wait) } } }, contentType: 'application/merge-patch+json' },
        },
      ]);
      expect(sfn.openTaskTokens(executionArn)).toHaveLength(1);
      await sfn.stopExecution({ executionArn });
    });

    it('hands the token back itself when the stack settled before the token was stored (no event will)', async () => {
      const { executionArn, wait } = await waiting('await-settled');
      const { deps } = awaitDeps('UPDATE_COMPLETE');
      await expect(awaitStack({ cluster: { name: ref.clusterName }, ref, wait }, deps)).resolves.toEqual({ waiting: false, status: 'UPDATE_COMPLETE' });
      const done = await sfn.waitForExecution(executionArn);
      expect(JSON.parse(done.output!).event).toEqual({ stackStatus: 'UPDATE_COMPLETE', seenBy: 'await' });
    });
  });

  it('names the fields a malformed event lacks', async () => {
    await expect(handleStackStatusChange({ 'detail-type': 'x', source: 'y', detail: {} } as never, { ...stubs(undefined), sfn: client, log: silent })).rejects.toThrow(/'stack-id' and 'status-details.status'/);
  });
});
