// Bottlerocket's boot agent: its user data is TOML settings (no scripts). The kubelet joins with
// [settings.kubernetes]: cluster-name, api-server and cluster-certificate are required; cluster-dns-ip, max-pods,
// node-labels and node-taints are optional (node-taints: key = "value:Effect" or a list of them).
import { parse, TomlError } from 'smol-toml';
import { BootError, positiveInteger, taintEffect, type BootConfig, type Taint } from '../boot-config.js';
import type { UserDataPart } from './parts.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function taints(value: unknown): Taint[] {
  if (value === undefined) return [];
  if (!isObj(value)) throw new BootError('settings.kubernetes.node-taints must be a table');
  return Object.entries(value).flatMap(([key, specs]) =>
    (Array.isArray(specs) ? specs : [specs]).map((spec) => {
      const where = `settings.kubernetes.node-taints."${key}"`;
      if (typeof spec !== 'string') throw new BootError(`${where} must be "value:Effect" or a list of them`);
      const colon = spec.lastIndexOf(':');
      const taintValue = colon < 0 ? '' : spec.slice(0, colon);
      return { key, ...(taintValue ? { value: taintValue } : {}), effect: taintEffect(spec.slice(colon + 1), where) };
    }),
  );
}

export function readBottlerocketSettings(parts: UserDataPart[]): BootConfig {
  if (parts.length !== 1) throw new BootError('Bottlerocket user data must be TOML settings, not a MIME multi-part document');
  let doc: Obj;
  try {
    doc = parse(parts[0]!.body) as Obj;
  } catch (error) {
    const message = error instanceof TomlError ? error.message.split('\n')[0] : String(error);
    throw new BootError(`user data is not valid TOML settings: ${message}`);
  }
  const settings = isObj(doc.settings) ? doc.settings : {};
  const k8s = isObj(settings.kubernetes) ? settings.kubernetes : undefined;
  if (!k8s) throw new BootError('no [settings.kubernetes] in the user data');
  const clusterName = str(k8s['cluster-name']);
  if (!clusterName) throw new BootError('settings.kubernetes.cluster-name is missing');
  const apiServer = str(k8s['api-server']);
  if (!apiServer) throw new BootError('settings.kubernetes.api-server is missing');
  const certificate = str(k8s['cluster-certificate']);
  if (!certificate) throw new BootError('settings.kubernetes.cluster-certificate is missing');
  const labels = k8s['node-labels'] ?? {};
  if (!isObj(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new BootError('settings.kubernetes.node-labels must be a table of strings');
  }
  const dns = k8s['cluster-dns-ip'];
  const dnsIp = Array.isArray(dns) ? str(dns[0]) : str(dns);
  return {
    family: 'bottlerocket',
    clusterName,
    apiServerEndpoint: apiServer,
    certificateAuthority: certificate,
    ...(dnsIp ? { clusterDnsIp: dnsIp } : {}),
    ...(k8s['max-pods'] !== undefined ? { maxPods: positiveInteger(k8s['max-pods'], 'settings.kubernetes.max-pods') } : {}),
    labels: labels as Record<string, string>,
    taints: taints(k8s['node-taints']),
  };
}
