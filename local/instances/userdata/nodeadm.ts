// AL2023's boot agent, nodeadm: it reads NodeConfig documents (apiVersion node.eks.aws/v1alpha1) from the parts of
// a MIME multi-part user data whose content type is application/node.eks.aws, or from user data that is itself a
// NodeConfig; several documents are merged, later ones winning. nodeadm refuses a config without the cluster's
// name, API endpoint, certificate authority and service CIDR (it does not look them up itself).
import { parseAllDocuments } from 'yaml';
import { BootError, positiveInteger, taintEffect, type BootConfig, type Taint } from '../boot-config.js';
import { parseKubeletFlags } from './kubelet-flags.js';
import type { UserDataPart } from './parts.js';

export const NODECONFIG_CONTENT_TYPE = 'application/node.eks.aws';
const API_VERSION = 'node.eks.aws/v1alpha1';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(out[k]) ? merge(out[k] as Obj, v) : v;
  return out;
}

function nodeConfigDocuments(parts: UserDataPart[]): Obj[] {
  const candidates = parts.filter((p) => p.contentType === NODECONFIG_CONTENT_TYPE || (parts.length === 1 && p.contentType === 'text/plain'));
  const docs: Obj[] = [];
  for (const part of candidates) {
    for (const doc of parseAllDocuments(part.body)) {
      if (doc.errors.length) throw new BootError(`NodeConfig is not valid YAML: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as unknown;
      if (value === null || value === undefined) continue;
      if (!isObj(value) || value.kind !== 'NodeConfig') throw new BootError(`user data document is not a NodeConfig (kind: ${isObj(value) ? String(value.kind) : typeof value})`);
      if (value.apiVersion !== API_VERSION) throw new BootError(`NodeConfig apiVersion "${String(value.apiVersion)}" is not ${API_VERSION}`);
      docs.push(value);
    }
  }
  return docs;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function readNodeConfig(parts: UserDataPart[]): BootConfig {
  const docs = nodeConfigDocuments(parts);
  if (!docs.length) throw new BootError(`no NodeConfig in the user data (nodeadm reads MIME parts of type ${NODECONFIG_CONTENT_TYPE})`);
  const spec = (docs.map((d) => (isObj(d.spec) ? d.spec : {})).reduce(merge, {}) ?? {}) as Obj;
  const cluster = isObj(spec.cluster) ? spec.cluster : {};
  const kubelet = isObj(spec.kubelet) ? spec.kubelet : {};
  const config = isObj(kubelet.config) ? kubelet.config : {};
  // nodeadm's own validation, in its order and words.
  const name = str(cluster.name);
  if (!name) throw new BootError('Name is missing in cluster configuration');
  const endpoint = str(cluster.apiServerEndpoint);
  if (!endpoint) throw new BootError('Apiserver endpoint is missing in cluster configuration');
  const ca = str(cluster.certificateAuthority);
  if (!ca) throw new BootError('Certificate authority is missing in cluster configuration');
  const cidr = str(cluster.cidr);
  if (!cidr) throw new BootError('CIDR is missing in cluster configuration');

  const flags = kubelet.flags ?? [];
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string')) throw new BootError('spec.kubelet.flags must be a list of strings');
  const fromFlags = parseKubeletFlags(flags as string[], 'spec.kubelet.flags');
  const taints: Taint[] = [...fromFlags.taints];
  for (const [i, t] of (Array.isArray(config.registerWithTaints) ? config.registerWithTaints : []).entries()) {
    const where = `spec.kubelet.config.registerWithTaints[${i}]`;
    if (!isObj(t) || !str(t.key)) throw new BootError(`${where}: a taint needs a key`);
    taints.push({ key: str(t.key)!, ...(str(t.value) ? { value: str(t.value)! } : {}), effect: taintEffect(String(t.effect), where) });
  }
  const maxPods = config.maxPods !== undefined ? positiveInteger(config.maxPods, 'spec.kubelet.config.maxPods') : fromFlags.maxPods;
  const dns = Array.isArray(config.clusterDNS) ? str(config.clusterDNS[0]) : undefined;
  return {
    family: 'al2023',
    clusterName: name,
    apiServerEndpoint: endpoint,
    certificateAuthority: ca,
    serviceCidr: cidr,
    ...(dns ? { clusterDnsIp: dns } : {}),
    ...(maxPods !== undefined ? { maxPods } : {}),
    labels: fromFlags.labels,
    taints,
  };
}
