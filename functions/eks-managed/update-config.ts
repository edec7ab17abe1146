// strategy.rollingUpdate.maxUnavailable for eks-managed: EKS drains its own nodes during an update and reads how
// many may be unavailable at once from the node group's updateConfig. A spec that leaves it out leaves EKS's.
import type { Nodegroup, NodegroupUpdateConfig } from '@aws-sdk/client-eks';
import type { EksManagedSpec } from '../../core/spec/types.js';

/** The updateConfig the spec asks for, or undefined when it leaves maxUnavailable out. */
export function updateConfigOf(spec: EksManagedSpec): NodegroupUpdateConfig | undefined {
  const value = spec.maxUnavailable;
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { maxUnavailable: value };
  return { maxUnavailablePercentage: Number(value.replace('%', '')) };
}

/** The updateConfig to send when the node group's differs from the spec's, with the change in words. */
export function updateConfigChange(spec: EksManagedSpec, ng: Nodegroup): { input?: NodegroupUpdateConfig; change?: string } {
  const wanted = updateConfigOf(spec);
  if (!wanted) return {};
  const current = ng.updateConfig ?? {};
  if (current.maxUnavailable === wanted.maxUnavailable && current.maxUnavailablePercentage === wanted.maxUnavailablePercentage) return {};
  const describe = (c: NodegroupUpdateConfig) =>
    c.maxUnavailable !== undefined ? String(c.maxUnavailable) : c.maxUnavailablePercentage !== undefined ? `${c.maxUnavailablePercentage}%` : 'unset';
  return { input: wanted, change: `maxUnavailable ${describe(current)} → ${describe(wanted)}` };
}
