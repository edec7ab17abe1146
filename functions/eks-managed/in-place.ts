// Changes EKS makes to a managed node group in place: scaling, labels, taints and rollout settings (one
// UpdateNodegroupConfig), Kubernetes and AMI release version (one UpdateNodegroupVersion), and tags.
import type { Nodegroup, UpdateNodegroupConfigCommandInput, UpdateNodegroupVersionCommandInput } from '@aws-sdk/client-eks';
import type { EksManagedSpec, Tags, Taint } from '../../core/spec/types.js';
import { stampedTagChanges } from '../shared/eks-resource-plan.js';
import { clamp, nodeGroupTags, type DesiredNodeGroup } from './node-group.js';
import { CREATED_WITH_TAG } from './replace-fields.js';
import { updateConfigChange } from './update-config.js';

const taintKey = (t: { key?: string; effect?: string }) => `${t.key}:${t.effect}`;
const describeTaint = (t: { key?: string; value?: string; effect?: string }) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

export interface InPlaceChange<T> {
  input?: T;
  changes: string[];
}

type ConfigInput = Pick<UpdateNodegroupConfigCommandInput, 'scalingConfig' | 'labels' | 'taints' | 'updateConfig'>;

/** Scaling, labels and taints: one UpdateNodegroupConfig. The desired size is kept unless it leaves [min, max]. */
export function configUpdate(spec: EksManagedSpec, ng: Nodegroup): InPlaceChange<ConfigInput> {
  const input: ConfigInput = {};
  const changes: string[] = [];
  const cur = ng.scalingConfig ?? {};
  const desired = clamp(cur.desiredSize ?? spec.minSize, spec.minSize, spec.maxSize);
  if (cur.minSize !== spec.minSize || cur.maxSize !== spec.maxSize || cur.desiredSize !== desired) {
    input.scalingConfig = { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: desired };
    let text = `size ${cur.minSize}-${cur.maxSize} → ${spec.minSize}-${spec.maxSize}`;
    if (cur.desiredSize !== desired) text += ` (desired ${cur.desiredSize ?? 'unset'} → ${desired} to stay within the new bounds)`;
    changes.push(text);
  }

  const labels = ng.labels ?? {};
  const addOrUpdateLabels = Object.fromEntries(Object.entries(spec.labels).filter(([k, v]) => labels[k] !== v));
  const removeLabels = Object.keys(labels).filter((k) => !(k in spec.labels));
  if (Object.keys(addOrUpdateLabels).length || removeLabels.length) {
    input.labels = {
      ...(Object.keys(addOrUpdateLabels).length ? { addOrUpdateLabels } : {}),
      ...(removeLabels.length ? { removeLabels } : {}),
    };
    const parts = [
      ...Object.entries(addOrUpdateLabels).map(([k, v]) => `${k}=${v}`),
      ...removeLabels.map((k) => `-${k}`),
    ];
    changes.push(`labels ${parts.join(', ')}`);
  }

  const taints = ng.taints ?? [];
  const same = (a: Taint, b: { key?: string; value?: string; effect?: string }) =>
    taintKey(a) === taintKey(b) && (a.value ?? '') === (b.value ?? '');
  const addOrUpdateTaints = spec.taints.filter((t) => !taints.some((c) => same(t, c)));
  const removeTaints = taints.filter((c) => !spec.taints.some((t) => taintKey(t) === taintKey(c)));
  if (addOrUpdateTaints.length || removeTaints.length) {
    input.taints = {
      ...(addOrUpdateTaints.length ? { addOrUpdateTaints: addOrUpdateTaints.map((t) => ({ ...t })) } : {}),
      ...(removeTaints.length ? { removeTaints: removeTaints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })) } : {}),
    };
    changes.push(`taints ${[...addOrUpdateTaints.map(describeTaint), ...removeTaints.map((t) => `-${describeTaint(t)}`)].join(', ')}`);
  }
  const rollout = updateConfigChange(spec, ng);
  if (rollout.input && rollout.change) {
    input.updateConfig = rollout.input;
    changes.push(rollout.change);
  }
  return { ...(changes.length ? { input } : {}), changes };
}

type VersionInput = Pick<UpdateNodegroupVersionCommandInput, 'version' | 'releaseVersion'>;

/**
 * Kubernetes version and AMI release version: one UpdateNodegroupVersion. A field the spec leaves out is left to
 * EKS; the version is always sent, because EKS would otherwise move the nodes to the cluster's version.
 */
export function versionUpdate(spec: EksManagedSpec, ng: Nodegroup): InPlaceChange<VersionInput> {
  const changes: string[] = [];
  if (spec.version && spec.version !== ng.version) changes.push(`Kubernetes version ${ng.version ?? 'unknown'} → ${spec.version}`);
  if (spec.releaseVersion && spec.releaseVersion !== ng.releaseVersion) {
    changes.push(`AMI release ${ng.releaseVersion ?? 'unknown'} → ${spec.releaseVersion}`);
  }
  if (!changes.length) return { changes };
  const version = spec.version ?? ng.version;
  return { input: { ...(version ? { version } : {}), ...(spec.releaseVersion ? { releaseVersion: spec.releaseVersion } : {}) }, changes };
}


/**
 * Tags are changed in place (TagResource / UntagResource); CREATED_WITH_TAG never changes after creation. The stamp
 * is written along (shared/eks-resource-plan.ts stampedTagChanges): a change of it alone leaves `changes` empty.
 */
export function tagUpdate(d: DesiredNodeGroup, ng: Nodegroup): { tag: Tags; untag: string[]; changes: string[] } {
  return stampedTagChanges(nodeGroupTags(d), ng.tags, d.stamp, [CREATED_WITH_TAG]);
}
