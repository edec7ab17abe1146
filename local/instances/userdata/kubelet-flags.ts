// The kubelet flags a boot configuration may carry that shape the Node: --node-labels, --register-with-taints and
// --max-pods (kubelet's documented syntax: "k=v,k2=v2" and "key=value:Effect,key:Effect").
import { BootError, positiveInteger, taintEffect, type Taint } from '../boot-config.js';

export interface KubeletFlagValues {
  labels: Record<string, string>;
  taints: Taint[];
  maxPods?: number;
}

export function parseLabels(value: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of value.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BootError(`${where}: label "${pair}" is not key=value`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

export function parseTaints(value: string, where: string): Taint[] {
  return value
    .split(',')
    .filter(Boolean)
    .map((spec) => {
      const colon = spec.lastIndexOf(':');
      if (colon <= 0) throw new BootError(`${where}: taint "${spec}" is not key[=value]:Effect`);
      const [key, taintValue] = spec.slice(0, colon).split('=', 2) as [string, string | undefined];
      return { key, ...(taintValue ? { value: taintValue } : {}), effect: taintEffect(spec.slice(colon + 1), where) };
    });
}

/** Reads the Node-shaping flags out of a list of kubelet arguments; other flags are the kubelet's business. */
export function parseKubeletFlags(args: readonly string[], where: string): KubeletFlagValues {
  const out: KubeletFlagValues = { labels: {}, taints: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) continue;
    const [, name, inline] = m;
    if (!['node-labels', 'register-with-taints', 'max-pods'].includes(name!)) continue;
    const value = inline ?? args[++i];
    if (value === undefined) throw new BootError(`${where}: --${name} has no value`);
    if (name === 'node-labels') Object.assign(out.labels, parseLabels(value, `${where} --node-labels`));
    else if (name === 'register-with-taints') out.taints.push(...parseTaints(value, `${where} --register-with-taints`));
    else out.maxPods = positiveInteger(value, `${where} --max-pods`);
  }
  return out;
}
