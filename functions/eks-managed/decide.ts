// "Decide Next Change" for eks-managed: the shared loop (functions/shared/decide-loop.ts) over the group's node
// groups. What is eks-managed's own: an in-place update EKS accepted but does not show yet is waited for rather
// than sent again, and the Ready report counts EKS's ACTIVE node groups as joined nodes.
import type { NodeCount } from '../../core/status/index.js';
import { appliedRound, decideNext, roleFromEarlierStep, type DecideDeps, type DecideInputOf } from '../shared/decide-loop.js';
import { findNodeGroups, ownNodeGroups, planNodeGroups, type NodeGroupsFound } from './nodegroups.js';
import type { DesiredNodeGroup, NodeGroupDecision } from './plan.js';
import type { EksManagedState, NodeGroupPlan } from './state.js';

export type DecideInput = DecideInputOf<EksManagedState>;

export type { DecideDeps };

export async function decideNodeGroup(input: DecideInput, deps: DecideDeps): Promise<NodeGroupPlan> {
  const { ref, spec } = input.group;
  // The manager's find and plan alone (functions/eks-managed/nodegroups.ts): the bundle holds no create/update/delete.
  return decideNext<DesiredNodeGroup, NodeGroupsFound, NodeGroupDecision, NodeGroupPlan>(input, deps.access, {
    plural: 'node groups',
    noun: 'node group',
    whereToLook: 'look at the node groups in the EKS console',
    clusterField: 'spec.eks-managed.configuration.clusterName',
    find: () => findNodeGroups(deps.eks, ref),
    plan: planNodeGroups,
    ours: ownNodeGroups,
    deleteExtras: (found) => (found.clusterMissing ? { message: `EKS cluster ${ref.clusterName} no longer exists; nothing left to delete there` } : {}),
    desired: (stamp) => ({ ref, spec, nodeRoleArn: roleFromEarlierStep(input.role?.nodeRoleArn, 'node role', 'Create Node Role If Needed'), stamp }),
    applied: (decision, round) => {
      const update = updateKey(decision);
      if (update && update === input.plan?.sent) {
        // EKS accepted this very update a moment ago but does not show it yet: wait for it rather than send it again.
        return {
          action: 'wait',
          nodeGroupName: decision.nodeGroupName,
          waitFor: 'active',
          summary: `Waiting for node group ${decision.nodeGroupName} to show the update EKS accepted`,
          ...round,
          sent: update,
        };
      }
      return { ...(update ? { sent: update } : {}), ...appliedRound(decision, round, { unchanged: 'nothing to change', report: readyReport }) };
    },
  });
}

/** EKS's ACTIVE is the join check for managed nodes: its desired nodes are Ready ones. */
function nodeCountOf(observed: NodeGroupDecision['observed']): { nodes?: NodeCount } {
  if (observed?.desiredNodes === undefined) return {};
  const n = observed.desiredNodes;
  return { nodes: { desired: n, ready: observed.readyNodes ?? n, checked: true, message: `EKS reports the node group ACTIVE: ${n} of ${n} nodes joined.` } };
}

function readyReport(decision: NodeGroupDecision, message: string): NonNullable<NodeGroupPlan['report']> {
  return {
    phase: 'ready',
    observed: decision.observed ?? {},
    message,
    ...(decision.degraded ? { degraded: decision.degraded } : {}),
    ...nodeCountOf(decision.observed),
  };
}

/** An in-place update, as a comparable string; undefined for any other decision. */
function updateKey(decision: NodeGroupDecision): string | undefined {
  const request = decision.updateConfig ?? decision.updateVersion ?? decision.updateTags;
  return request ? JSON.stringify([decision.action, decision.nodeGroupName, request]) : undefined;
}
