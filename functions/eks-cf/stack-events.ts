// Hands a CloudFormation wait back to its workflow when CloudFormation says the stack has settled, instead of the
// workflow looking every 30 s. The waiting Task (`.waitForTaskToken`) leaves its token on the InstanceGroup in the
// WAIT_ANNOTATION annotation; an EventBridge rule delivers "CloudFormation Stack Status Change" events here; we
// find the group through the stack's tags (the group's own cluster from GROUP_CLUSTER_TAG, which may differ from
// spec.clusterName; stacks tagged before it existed fall back to the ownership cluster tag), read the token and
// call SendTaskSuccess (settled) or
// SendTaskFailure (failed). The workflow then makes its usual check of the stack, which reads CloudFormation's
// own reason on failure. A token already spent or timed out means the fallback got there first: nothing to do.
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ClusterIdentity } from '../../core/events/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import type { Logger } from '../../core/log/index.js';
import { OWNERSHIP_TAGS } from '../../core/names/index.js';
import { GROUP_CLUSTER_TAG, parseGroupClusterTag } from './group-cluster-tag.js';

/** The annotation that holds a pending CloudFormation wait (JSON of StackWait). */
export const WAIT_ANNOTATION = 'instancemgr.keikoproj.io/cloudformation-wait';

export interface StackWait {
  taskToken: string;
  stackName: string;
  purpose: 'apply' | 'delete';
  /** The execution that waits: for logs, and so a stale annotation is recognisable. */
  executionArn: string;
}

/** The event CloudFormation puts on the default bus (detail-type "CloudFormation Stack Status Change"). */
export interface StackStatusChangeEvent {
  version?: string;
  id?: string;
  time?: string;
  account?: string;
  region?: string;
  resources?: string[];
  'detail-type': string;
  source: string;
  detail: {
    'stack-id': string;
    'status-details': { status: string; 'status-reason'?: string; 'detailed-status'?: string };
  };
}

export type StackOutcome = 'settled' | 'failed' | 'in-progress';

const FAILED = new Set(['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED', 'UPDATE_FAILED', 'IMPORT_ROLLBACK_COMPLETE', 'IMPORT_ROLLBACK_FAILED']);

/** Whether a stack status ends the wait, and how. Any *_IN_PROGRESS status (cleanup included) does not. */
export function stackOutcome(status: string, purpose: StackWait['purpose']): StackOutcome {
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (FAILED.has(status)) return 'failed';
  if (purpose === 'delete') return status === 'DELETE_COMPLETE' ? 'settled' : 'failed';
  // apply: CREATE/UPDATE/IMPORT_COMPLETE settle it; DELETE_COMPLETE (someone deleted the stack) is for the check
  // to report, so the wait ends either way.
  return 'settled';
}

export function parseStackWait(value: string | undefined): StackWait | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<StackWait>;
    return typeof parsed.taskToken === 'string' && typeof parsed.stackName === 'string' && (parsed.purpose === 'apply' || parsed.purpose === 'delete')
      ? (parsed as StackWait)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface StackEventDeps {
  cloudformation: CloudFormationClient;
  sfn: SFNClient;
  clusterAccess: ClusterAccess;
  log: Logger;
}

export type StackEventResult =
  | { handed: 'success' | 'failure'; stackName: string; status: string; executionArn: string }
  | { skipped: 'in-progress' | 'not-ours' | 'group-gone' | 'no-wait' | 'other-stack' | 'token-spent'; status: string };

const SPENT = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/** The cluster the stack's group lives in: GROUP_CLUSTER_TAG, or for stacks tagged before it, the ownership tag. */
export function groupClusterOf(tags: Record<string, string | undefined>): ClusterIdentity | undefined {
  return parseGroupClusterTag(tags[GROUP_CLUSTER_TAG]) ?? parseGroupClusterTag(tags[OWNERSHIP_TAGS.cluster]);
}

export async function handleStackStatusChange(event: StackStatusChangeEvent, deps: StackEventDeps): Promise<StackEventResult> {
  const stackId = event.detail?.['stack-id'];
  const status = event.detail?.['status-details']?.status;
  if (!stackId || !status) throw new Error("event.detail needs 'stack-id' and 'status-details.status' (a CloudFormation Stack Status Change event)");
  if (status.endsWith('_IN_PROGRESS')) return { skipped: 'in-progress', status };

  // Stack IDs stay describable after deletion, so DELETE_COMPLETE still finds the tags.
  const { Stacks } = await deps.cloudformation.send(new DescribeStacksCommand({ StackName: stackId }));
  const stack = Stacks?.[0];
  const tags = Object.fromEntries((stack?.Tags ?? []).map((t) => [t.Key, t.Value]));
  const cluster = groupClusterOf(tags);
  const namespace = tags[OWNERSHIP_TAGS.namespace];
  const name = tags[OWNERSHIP_TAGS.name];
  if (!stack || tags[OWNERSHIP_TAGS.managedBy] !== 'instance-manager' || !cluster || !namespace || !name) {
    return { skipped: 'not-ours', status };
  }
  const groups = new InstanceGroupApi(await deps.clusterAccess.connect(cluster));
  const group = await groups.get({ namespace, name });
  if (!group) return { skipped: 'group-gone', status };
  const wait = parseStackWait(group.metadata.annotations?.[WAIT_ANNOTATION]);
  if (!wait) return { skipped: 'no-wait', status };
  if (wait.stackName !== stack.StackName) return { skipped: 'other-stack', status };

  const outcome = stackOutcome(status, wait.purpose);
  if (outcome === 'in-progress') return { skipped: 'in-progress', status };
  const reason = event.detail['status-details']['status-reason'] ?? '';
  try {
    if (outcome === 'settled') {
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: JSON.stringify({ stackStatus: status, eventTime: event.time, seenBy: 'stack-event' }) }));
    } else {
      await deps.sfn.send(new SendTaskFailureCommand({ taskToken: wait.taskToken, error: 'StackSettledInFailure', cause: `${status}: ${reason}`.slice(0, 32768) }));
    }
  } catch (error) {
    if (SPENT.has((error as Error).name)) {
      deps.log.info('the wait this stack event was for has already ended (fallback check or earlier event)', { stackName: wait.stackName, status, error: (error as Error).name });
      return { skipped: 'token-spent', status };
    }
    throw error;
  }
  deps.log.info('stack settled: wait handed back to its workflow', { stackName: wait.stackName, status, outcome, executionArn: wait.executionArn });
  return { handed: outcome === 'settled' ? 'success' : 'failure', stackName: wait.stackName, status, executionArn: wait.executionArn };
}

// ---------------------------------------------------------------------------------------------------------------
// The waiting side: called by the `.waitForTaskToken` Task with its token.

export interface AwaitStackDeps {
  cloudformation: CloudFormationClient;
  sfn: SFNClient;
  clusterAccess: ClusterAccess;
}

/** The token goes on the object, in the cluster the object lives in (the relay's), not the one its spec names. */
export async function storeStackWait(
  input: { cluster: ClusterIdentity; ref: { namespace: string; name: string }; wait: StackWait },
  clusterAccess: ClusterAccess,
): Promise<void> {
  const kube = await clusterAccess.connect(input.cluster);
  const path = `/apis/instancemgr.keikoproj.io/v1alpha1/namespaces/${encodeURIComponent(input.ref.namespace)}/instancegroups/${encodeURIComponent(input.ref.name)}`;
  await kube.request('PATCH', path, {
    body: { metadata: { annotations: { [WAIT_ANNOTATION]: JSON.stringify(input.wait) } } },
    contentType: 'application/merge-patch+json',
  });
}

/**
 * Leaves the token on the group (merge patch of one annotation: no generation change, so the relay ignores it),
 * THEN looks at the stack once: if it settled before the token was stored, no event will find the token, so this
 * call hands it back itself. Either way an event that arrives later finds a spent token and does nothing.
 */
export async function awaitStack(
  input: { cluster: ClusterIdentity; ref: { namespace: string; name: string }; wait: StackWait },
  deps: AwaitStackDeps,
): Promise<{ waiting: boolean; status: string }> {
  await storeStackWait(input, deps.clusterAccess);
  let status = 'DELETE_COMPLETE';
  try {
    const { Stacks } = await deps.cloudformation.send(new DescribeStacksCommand({ StackName: input.wait.stackName }));
    status = Stacks?.[0]?.StackStatus ?? 'DELETE_COMPLETE';
  } catch (error) {
    if (!/does not exist/.test((error as Error).message)) throw error;
  }
  if (stackOutcome(status, input.wait.purpose) === 'in-progress') return { waiting: true, status };
  try {
    await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: input.wait.taskToken, output: JSON.stringify({ stackStatus: status, seenBy: 'await' }) }));
  } catch (error) {
    if (!SPENT.has((error as Error).name)) throw error;
  }
  return { waiting: false, status };
}
