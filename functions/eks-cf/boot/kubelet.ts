// The node's kubelet settings, once: the structured spec fields plus what the (already validated) bootstrapArguments
// add. Each family's renderer writes this in its own format.
import { InvalidSpecError } from '../../../core/errors/index.js';
import { groupNodeLabels, type GroupRef } from '../../../core/names/index.js';
import type { EksCfSpec, NodeTaint } from '../../../core/spec/types.js';

export interface KubeletSettings {
  labels: Record<string, string>;
  taints: NodeTaint[];
  maxPods?: number;
  /** Other allow-listed flags, as --name=value, in the order given. */
  extraFlags: string[];
}

const EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
const FIELD = 'spec.eks-cf.configuration.bootstrapArguments';

function parsePairs(value: string): [string, string][] {
  return value
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    });
}

function parseTaint(entry: string): NodeTaint {
  const [keyValue, effect] = entry.split(':') as [string, string | undefined];
  if (!effect || !EFFECTS.has(effect)) {
    throw new InvalidSpecError([{ field: FIELD, message: `--register-with-taints entry "${entry}" needs key[=value]:NoSchedule|PreferNoSchedule|NoExecute; prefer the taints field` }]);
  }
  const at = keyValue.indexOf('=');
  const key = at < 0 ? keyValue : keyValue.slice(0, at);
  const value = at < 0 ? '' : keyValue.slice(at + 1);
  return { key, ...(value ? { value } : {}), effect: effect as NodeTaint['effect'] };
}

/**
 * Labels: the group's own, then bootstrapArguments' --node-labels, then nodeLabels (the structured field wins).
 * Taints: bootstrapArguments' --register-with-taints, replaced per key and effect by the taints field.
 */
export function kubeletSettings(group: GroupRef, spec: EksCfSpec): KubeletSettings {
  const labels: Record<string, string> = {};
  const taints = new Map<string, NodeTaint>();
  let maxPods: number | undefined;
  const extraFlags: string[] = [];
  for (const word of spec.bootstrapArguments.split(' ').filter(Boolean)) {
    const at = word.indexOf('=');
    const name = word.slice(2, at);
    const value = word.slice(at + 1);
    if (name === 'node-labels') for (const [k, v] of parsePairs(value)) labels[k] = v;
    else if (name === 'register-with-taints') for (const t of value.split(',').filter(Boolean).map(parseTaint)) taints.set(`${t.key}:${t.effect}`, t);
    else if (name === 'max-pods') maxPods = Number(value);
    else extraFlags.push(word);
  }
  Object.assign(labels, spec.nodeLabels, groupNodeLabels(group));
  for (const t of spec.taints) taints.set(`${t.key}:${t.effect}`, t);
  maxPods = spec.maxPods ?? maxPods;
  return { labels, taints: [...taints.values()], ...(maxPods !== undefined && Number.isFinite(maxPods) ? { maxPods } : {}), extraFlags };
}

export const labelList = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export const taintList = (taints: NodeTaint[]): string =>
  taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(',');
