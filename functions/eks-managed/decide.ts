// "Decide Next Change": one pass of the workflow's loop. Re-reads the InstanceGroup (an execution never goes on
// applying a generation that a newer one replaced), looks at the group's node groups and picks the next action.
import type { EKSClient } from '@aws-sdk/client-eks';
import { MissingReferenceError, TerminalError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import type { NodeCount } from '../../core/status/index.js';
import { stopPlanIfUnwanted } from '../shared/group.js';
import { findNodeGroups } from './nodegroups.js';
import { planApply, planDelete, type NodeGroupDecision } from './plan.js';
import { fenceBeforeNothingLeft } from '../shared/delete-fence-check.js';
import type { EksManagedState, NodeGroupPlan } from './state.js';

export interface DecideInput extends Pick<EksManagedState, 'change' | 'execution' | 'group' | 'role' | 'plan'> {
  purpose: 'apply' | 'delete';
  /** Bound on the loop: decisions per execution. */
  maxPasses: number;
}

export interface DecideDeps {
  eks: EKSClient;
  access: ClusterAccess;
}

const CHANGES = new Set(['create', 'update-config', 'update-version', 'update-tags', 'delete']);

export async function decideNodeGroup(input: DecideInput, deps: DecideDeps): Promise<NodeGroupPlan> {
  const pass = (input.plan?.pass ?? 0) + 1;
  const history = input.plan?.history ?? [];
  const { ref, spec } = input.group;

  const stop = await stopPlanIfUnwanted(input, deps.access, pass, history);
  if (stop) return stop;
  if (pass > input.maxPasses) {
    throw new TerminalError(
      `The node groups of ${ref.namespace}/${ref.name} still need changes after ${input.maxPasses} rounds (${history.join('; ') || 'none made'}); ` +
        'something else is changing them: look at the node groups in the EKS console, then replay the execution',
    );
  }

  const found = await findNodeGroups(deps.eks, ref);
  if (input.purpose === 'delete') {
    const decision = planDelete(found.owned);
    if (decision.action === 'none' && !found.clusterMissing) {
      // Waiting out the fence is not a round of changes: it does not count towards maxPasses.
      const fence = await fenceBeforeNothingLeft(input, deps.access, `No node group of ${ref.namespace}/${ref.name}`);
      if (fence) return { ...fence, pass: pass - 1, history };
    }
    const next = decision.done ? [...history, decision.done] : history;
    return {
      ...decision,
      pass,
      history: next,
      ...(found.clusterMissing ? { message: `EKS cluster ${ref.clusterName} no longer exists; nothing left to delete there` } : {}),
    };
  }

  if (found.clusterMissing) {
    throw new MissingReferenceError([
      { field: 'spec.eks-managed.configuration.clusterName', message: `EKS cluster ${spec.clusterName} does not exist (any more)` },
    ]);
  }
  if (!input.role?.nodeRoleArn) throw new TerminalError('Decide Next Change needs the node role; "Create Node Role If Needed" must run first');
  const decision = planApply({ ref, spec, nodeRoleArn: input.role.nodeRoleArn }, found.owned, {
    foreign: found.foreign,
    idempotencyKey: input.execution.arn,
  });
  const update = updateKey(decision);
  if (update && update === input.plan?.sent) {
    // EKS accepted this very update a moment ago but does not show it yet: wait for it rather than send it again.
    return {
      action: 'wait',
      nodeGroupName: decision.nodeGroupName,
      waitFor: 'active',
      summary: `Waiting for node group ${decision.nodeGroupName} to show the update EKS accepted`,
      pass,
      history,
      sent: update,
    };
  }
  const next = CHANGES.has(decision.action) && decision.done ? [...history, decision.done] : history;
  return {
    ...(update ? { sent: update } : {}),
    ...decision,
    pass,
    history: next,
    ...(decision.action === 'none' ? readyReport(decision, next.length ? `${next.join('. ')}. ${decision.summary}.` : `${decision.summary}; nothing to change.`) : {}),
  };
}

/** EKS's ACTIVE is the join check for managed nodes: its desired nodes are Ready ones. */
function nodeCountOf(observed: NodeGroupDecision['observed']): { nodes?: NodeCount } {
  if (observed?.desiredNodes === undefined) return {};
  const n = observed.desiredNodes;
  return { nodes: { desired: n, ready: observed.readyNodes ?? n, checked: true, message: `EKS reports the node group ACTIVE: ${n} of ${n} nodes joined.` } };
}

function readyReport(decision: NodeGroupDecision, message: string): Pick<NodeGroupPlan, 'message' | 'report'> {
  return {
    message,
    report: {
      phase: 'ready',
      observed: decision.observed ?? {},
      message,
      ...(decision.degraded ? { degraded: decision.degraded } : {}),
      ...nodeCountOf(decision.observed),
    },
  };
}

/** An in-place update, as a comparable string; undefined for any other decision. */
function updateKey(decision: NodeGroupDecision): string | undefined {
  const request = decision.updateConfig ?? decision.updateVersion ?? decision.updateTags;
  return request ? JSON.stringify([decision.action, decision.nodeGroupName, request]) : undefined;
}
