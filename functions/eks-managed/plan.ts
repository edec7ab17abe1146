// Over 350 lines: the reconcile kit (issue 16) splits this into the shared plan and a managed node group resource
// manager; until then the decisions stay together so their unit tests read as one table.
// What a managed node group needs, decided from the spec and what EKS reports. Pure: no AWS calls, so every
// decision (create, update in place, replace, delete, wait) is unit-tested on plain objects.
//
// Fields AWS can only set at creation (instance types, subnets, disk size, AMI type, capacity type, remote
// access, node role) are compared with what instance-manager created the group with, recorded in a tag
// (CREATED_WITH_TAG: one short hash per field). Comparing with EKS's echo instead would mistake EKS's own
// defaults (an AMI type, an instance type) for a change, and would miss a field the user removed.
import { updateConfigChange, updateConfigOf } from './update-config.js';
import type {
  CreateNodegroupCommandInput,
  Nodegroup,
  UpdateNodegroupConfigCommandInput,
  UpdateNodegroupVersionCommandInput,
} from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, ReplacementRequiredError } from '../../core/errors/index.js';
import { nodeGroupName, ownershipTags, shortHash, type GroupRef } from '../../core/names/index.js';
import type { EksManagedSpec, Tags, Taint } from '../../core/spec/types.js';
import type { ObservedResources } from '../../core/status/index.js';

export const CREATED_WITH_TAG = 'instancemgr.keikoproj.io/created-with';
/** Revisions looked for when finding a group's node groups by name; a group is replaced far fewer times. */
export const MAX_REVISIONS = 1000;

/** Fields AWS cannot change on an existing node group, with their short key in CREATED_WITH_TAG. */
export const REPLACE_FIELDS = {
  instanceTypes: 'it',
  subnets: 'sn',
  diskSize: 'ds',
  amiType: 'ami',
  capacityType: 'ct',
  remoteAccess: 'ra',
  nodeRole: 'nr',
} as const;
export type ReplaceField = keyof typeof REPLACE_FIELDS;

/** Where each field lives in the spec, for messages that tell the user what to edit. */
const SPEC_FIELD: Record<ReplaceField, string> = {
  instanceTypes: 'instanceTypes',
  subnets: 'subnets',
  diskSize: 'volSize',
  amiType: 'amiType',
  capacityType: 'capacityType',
  remoteAccess: 'keyPairName/securityGroups',
  nodeRole: 'nodeRole',
};

export interface DesiredNodeGroup {
  ref: GroupRef;
  spec: EksManagedSpec;
  /** The spec's nodeRole, or the role instance-manager created for the group. */
  nodeRoleArn: string;
}

export interface OwnedNodeGroup {
  revision: number;
  nodegroup: Nodegroup;
}

export type NodeGroupAction = 'create' | 'update-config' | 'update-version' | 'update-tags' | 'delete' | 'wait' | 'none';

export interface NodeGroupDecision {
  action: NodeGroupAction;
  /** The node group the action (or the wait) concerns. */
  nodeGroupName?: string;
  /** What the wait after the action waits for. */
  waitFor?: 'active' | 'gone';
  /** The decision in words, as the execution history shows it: "Creating node group ...". */
  summary: string;
  /** The same once done, for the Ready message: "Created node group ...". Only for changes. */
  done?: string;
  create?: CreateNodegroupCommandInput;
  updateConfig?: UpdateNodegroupConfigCommandInput;
  updateVersion?: UpdateNodegroupVersionCommandInput;
  updateTags?: { resourceArn: string; tag: Tags; untag: string[] };
  observed?: ObservedResources;
  degraded?: { reason: string; message: string };
}

const status = (o: OwnedNodeGroup) => o.nodegroup.status ?? 'UNKNOWN';
const nameOf = (o: OwnedNodeGroup) => o.nodegroup.nodegroupName ?? '';
const sorted = (list: string[] | undefined) => [...(list ?? [])].sort();

// ---------------------------------------------------------------------------------------------------------------
// Fields that need a replacement

function desiredValues(d: DesiredNodeGroup): Record<ReplaceField, unknown> {
  const s = d.spec;
  return {
    instanceTypes: s.instanceTypes.length ? s.instanceTypes : 'eks-default',
    subnets: sorted(s.subnets),
    diskSize: s.diskSize,
    amiType: s.amiType ?? 'eks-default',
    capacityType: s.capacityType,
    remoteAccess: s.remoteAccess ? { key: s.remoteAccess.keyPairName, from: sorted(s.remoteAccess.sourceSecurityGroups) } : 'none',
    nodeRole: d.nodeRoleArn,
  };
}

/** What EKS reports, in the same shape; used only for a node group that carries no CREATED_WITH_TAG. */
function reportedValues(ng: Nodegroup): Record<ReplaceField, unknown> {
  return {
    instanceTypes: ng.instanceTypes?.length ? ng.instanceTypes : 'eks-default',
    subnets: sorted(ng.subnets),
    diskSize: Number(ng.diskSize),
    amiType: ng.amiType ?? 'eks-default',
    capacityType: ng.capacityType ?? 'ON_DEMAND',
    remoteAccess: ng.remoteAccess?.ec2SshKey ? { key: ng.remoteAccess.ec2SshKey, from: sorted(ng.remoteAccess.sourceSecurityGroups) } : 'none',
    nodeRole: ng.nodeRole,
  };
}

const fieldHash = (value: unknown) => shortHash(JSON.stringify(value));

/** The CREATED_WITH_TAG value for a desired node group: `it:<hash> sn:<hash> ...`. */
export function createdWith(d: DesiredNodeGroup): string {
  const values = desiredValues(d);
  return (Object.keys(REPLACE_FIELDS) as ReplaceField[]).map((f) => `${REPLACE_FIELDS[f]}:${fieldHash(values[f])}`).join(' ');
}

function parseCreatedWith(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(value.split(' ').map((pair) => pair.split(':') as [string, string]));
}

function describeDesired(d: DesiredNodeGroup, field: ReplaceField): string {
  const s = d.spec;
  switch (field) {
    case 'instanceTypes':
      return s.instanceTypes.length ? s.instanceTypes.join(', ') : "EKS's default";
    case 'subnets':
      return s.subnets.join(', ');
    case 'diskSize':
      return `${s.diskSize} GiB`;
    case 'amiType':
      return s.amiType ?? "EKS's default";
    case 'capacityType':
      return s.capacityType;
    case 'remoteAccess':
      return s.remoteAccess ? describeRemoteAccess(s.remoteAccess.keyPairName, s.remoteAccess.sourceSecurityGroups) : 'none';
    case 'nodeRole':
      return d.nodeRoleArn;
  }
}

function describeReported(ng: Nodegroup, field: ReplaceField): string {
  switch (field) {
    case 'instanceTypes':
      return ng.instanceTypes?.join(', ') || 'unknown';
    case 'subnets':
      return ng.subnets?.join(', ') || 'unknown';
    case 'diskSize':
      return ng.diskSize !== undefined ? `${ng.diskSize} GiB` : 'unknown';
    case 'amiType':
      return ng.amiType ?? 'unknown';
    case 'capacityType':
      return ng.capacityType ?? 'unknown';
    case 'remoteAccess':
      return ng.remoteAccess?.ec2SshKey ? describeRemoteAccess(ng.remoteAccess.ec2SshKey, ng.remoteAccess.sourceSecurityGroups ?? []) : 'none';
    case 'nodeRole':
      return ng.nodeRole ?? 'unknown';
  }
}

function describeRemoteAccess(key: string, from: string[]): string {
  return from.length ? `key pair ${key}, SSH from ${from.join(', ')}` : `key pair ${key}`;
}

export interface FieldChange {
  field: ReplaceField;
  from: string;
  to: string;
}

/** The fields AWS cannot change in place that differ between the spec and this node group. */
export function replaceFieldChanges(d: DesiredNodeGroup, ng: Nodegroup): FieldChange[] {
  const recorded = parseCreatedWith(ng.tags?.[CREATED_WITH_TAG]);
  const desired = desiredValues(d);
  const reported = recorded ? undefined : reportedValues(ng);
  return (Object.keys(REPLACE_FIELDS) as ReplaceField[])
    .filter((f) => {
      if (recorded) return recorded[REPLACE_FIELDS[f]] !== fieldHash(desired[f]);
      // Without the record, a field the spec leaves to EKS matches whatever EKS chose.
      return desired[f] !== 'eks-default' && JSON.stringify(reported![f]) !== JSON.stringify(desired[f]);
    })
    .map((f) => ({ field: f, from: describeReported(ng, f), to: describeDesired(d, f) }));
}

export function describeChanges(changes: FieldChange[]): string {
  return changes.map((c) => `${SPEC_FIELD[c.field]} (${c.from} → ${c.to})`).join(', ');
}

export function replacementMessage(current: string, changes: FieldChange[]): string {
  return (
    `AWS cannot change ${describeChanges(changes)} on existing node group ${current}. ` +
    'To apply it, set spec.strategy.replace: true (instance-manager then creates a new node group, waits until it is ' +
    'active and deletes the old one), or put these fields back to their current values.'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Changes EKS makes in place

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
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

/** The tags a node group of this group carries (CREATED_WITH_TAG aside): the user's, then ours. */
export function nodeGroupTags(d: DesiredNodeGroup): Tags {
  const user = Object.fromEntries(Object.entries(d.spec.tags).filter(([k]) => !k.startsWith('aws:')));
  return { ...user, ...ownershipTags(d.ref) };
}

/** Tags are changed in place (TagResource / UntagResource); CREATED_WITH_TAG never changes after creation. */
export function tagUpdate(d: DesiredNodeGroup, ng: Nodegroup): InPlaceChange<{ tag: Tags; untag: string[] }> {
  const want = nodeGroupTags(d);
  const have = Object.fromEntries(Object.entries(ng.tags ?? {}).filter(([k]) => k !== CREATED_WITH_TAG && !k.startsWith('aws:')));
  const tag = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
  const untag = Object.keys(have).filter((k) => !(k in want));
  const changes = [...Object.keys(tag).map((k) => `tag ${k}=${tag[k]}`), ...untag.map((k) => `-tag ${k}`)];
  return { ...(changes.length ? { input: { tag, untag } } : {}), changes };
}

// ---------------------------------------------------------------------------------------------------------------
// Requests and status

export function createRequest(d: DesiredNodeGroup, name: string, idempotencyKey: string, desiredSize?: number): CreateNodegroupCommandInput {
  const s = d.spec;
  return {
    clusterName: s.clusterName,
    nodegroupName: name,
    scalingConfig: { minSize: s.minSize, maxSize: s.maxSize, desiredSize: clamp(desiredSize ?? s.minSize, s.minSize, s.maxSize) },
    subnets: s.subnets,
    nodeRole: d.nodeRoleArn,
    diskSize: s.diskSize,
    capacityType: s.capacityType,
    ...(s.instanceTypes.length ? { instanceTypes: s.instanceTypes } : {}),
    ...(s.amiType ? { amiType: s.amiType as CreateNodegroupCommandInput['amiType'] } : {}),
    ...(s.version ? { version: s.version } : {}),
    ...(s.releaseVersion ? { releaseVersion: s.releaseVersion } : {}),
    ...(s.remoteAccess
      ? {
          remoteAccess: {
            ec2SshKey: s.remoteAccess.keyPairName,
            ...(s.remoteAccess.sourceSecurityGroups.length ? { sourceSecurityGroups: s.remoteAccess.sourceSecurityGroups } : {}),
          },
        }
      : {}),
    ...(Object.keys(s.labels).length ? { labels: s.labels } : {}),
    ...(s.taints.length ? { taints: s.taints.map((t) => ({ ...t })) } : {}),
    ...(updateConfigOf(s) ? { updateConfig: updateConfigOf(s) } : {}),
    tags: { ...nodeGroupTags(d), [CREATED_WITH_TAG]: createdWith(d) },
    clientRequestToken: shortHash('create-nodegroup', idempotencyKey, name),
  };
}

export function observedOf(ng: Nodegroup): ObservedResources {
  const groups = (ng.resources?.autoScalingGroups ?? []).map((g) => g.name).filter((n): n is string => !!n);
  return {
    ...(ng.scalingConfig?.minSize !== undefined ? { currentMin: ng.scalingConfig.minSize } : {}),
    ...(ng.scalingConfig?.maxSize !== undefined ? { currentMax: ng.scalingConfig.maxSize } : {}),
    ...(ng.nodegroupName ? { nodeGroupName: ng.nodegroupName } : {}),
    ...(groups.length ? { activeScalingGroupName: groups.join(',') } : {}),
    ...(ng.nodeRole ? { nodesInstanceRoleArn: ng.nodeRole } : {}),
    lifecycle: ng.capacityType === 'SPOT' ? 'spot' : 'normal',
    // EKS reports ACTIVE only once the node group's nodes joined the cluster.
    ...(ng.status === 'ACTIVE' && ng.scalingConfig?.desiredSize !== undefined
      ? { desiredNodes: ng.scalingConfig.desiredSize, readyNodes: ng.scalingConfig.desiredSize }
      : {}),
  };
}

export function healthIssues(ng: Nodegroup): string {
  return (ng.health?.issues ?? [])
    .map((i) => `${i.code ?? 'Issue'}: ${i.message ?? 'no message'}${i.resourceIds?.length ? ` (${i.resourceIds.join(', ')})` : ''}`)
    .join('; ');
}

/** The Degraded condition for a node group EKS reports as DEGRADED or with health issues. */
export function degradedOf(ng: Nodegroup): { reason: string; message: string } | undefined {
  const issues = ng.health?.issues ?? [];
  if (ng.status !== 'DEGRADED' && !issues.length) return undefined;
  const first = issues[0]?.code;
  const reason = first && /^[A-Z][A-Za-z0-9]*$/.test(first) ? first : 'NodeGroupDegraded';
  const message = issues.length
    ? `EKS reports ${issues.length} health issue${issues.length > 1 ? 's' : ''} on node group ${ng.nodegroupName}: ${healthIssues(ng)}`
    : `EKS reports node group ${ng.nodegroupName} as DEGRADED without details; see the node group's Health tab in the EKS console`;
  return { reason, message };
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions

const wait = (o: OwnedNodeGroup, waitFor: 'active' | 'gone', why: string): NodeGroupDecision => ({
  action: 'wait',
  nodeGroupName: nameOf(o),
  waitFor,
  summary: `Waiting for node group ${nameOf(o)}: ${why}`,
});

function deleteFailed(o: OwnedNodeGroup): never {
  const issues = healthIssues(o.nodegroup);
  throw new ProvisioningFailedError(
    `EKS could not delete node group ${nameOf(o)}${issues ? `: ${issues}` : ''}. Fix the cause, delete it in the EKS console, then apply again`,
  );
}

export interface ApplyContext {
  /** Names that look like this group's but whose tags say otherwise. */
  foreign: string[];
  /** Keeps create requests idempotent across retries of the same execution. */
  idempotencyKey: string;
}

/**
 * The next step towards the spec. The target is the newest node group created with the spec's replace fields;
 * in-place changes go to it one API call at a time (config, then version, then tags); once it is active, every
 * other node group of the group is deleted. Without a target, a node group is created: a replacement needs
 * spec.strategy.replace, otherwise ReplacementRequiredError says what to do.
 */
export function planApply(d: DesiredNodeGroup, owned: OwnedNodeGroup[], ctx: ApplyContext): NodeGroupDecision {
  const newestFirst = [...owned].sort((a, b) => b.revision - a.revision);
  const live = newestFirst.filter((o) => !['DELETING', 'CREATE_FAILED', 'DELETE_FAILED'].includes(status(o)));
  const target = live.find((o) => replaceFieldChanges(d, o.nodegroup).length === 0);

  if (target) {
    const name = nameOf(target);
    const st = status(target);
    if (st === 'CREATING' || st === 'UPDATING') return wait(target, 'active', `it is ${st}`);
    const config = configUpdate(d.spec, target.nodegroup);
    if (config.input) {
      return {
        action: 'update-config',
        nodeGroupName: name,
        waitFor: 'active',
        summary: `Updating node group ${name}: ${config.changes.join('; ')}`,
        done: `Updated node group ${name}: ${config.changes.join('; ')}`,
        updateConfig: { clusterName: d.spec.clusterName, nodegroupName: name, ...config.input },
      };
    }
    const version = versionUpdate(d.spec, target.nodegroup);
    if (version.input) {
      return {
        action: 'update-version',
        nodeGroupName: name,
        waitFor: 'active',
        summary: `Updating node group ${name}: ${version.changes.join('; ')}`,
        done: `Updated node group ${name}: ${version.changes.join('; ')}`,
        updateVersion: { clusterName: d.spec.clusterName, nodegroupName: name, ...version.input },
      };
    }
    const tags = tagUpdate(d, target.nodegroup);
    if (tags.input) {
      return {
        action: 'update-tags',
        nodeGroupName: name,
        waitFor: 'active',
        summary: `Updating the tags of node group ${name}: ${tags.changes.join(', ')}`,
        done: `Updated the tags of node group ${name}: ${tags.changes.join(', ')}`,
        updateTags: { resourceArn: target.nodegroup.nodegroupArn ?? '', ...tags.input },
      };
    }
    const others = newestFirst.filter((o) => o !== target);
    const deleting = others.find((o) => status(o) === 'DELETING');
    if (deleting) return wait(deleting, 'gone', 'it is DELETING');
    const failedDelete = others.find((o) => status(o) === 'DELETE_FAILED');
    if (failedDelete) deleteFailed(failedDelete);
    const old = others[0];
    if (old) {
      const busy = status(old) === 'CREATING' || status(old) === 'UPDATING';
      if (busy) return wait(old, 'active', `it is ${status(old)}; it is deleted once that ends`);
      return {
        action: 'delete',
        nodeGroupName: nameOf(old),
        waitFor: 'gone',
        summary:
          status(old) === 'CREATE_FAILED'
            ? `Deleting node group ${nameOf(old)}, which EKS failed to create`
            : `Deleting node group ${nameOf(old)}, replaced by ${name}`,
        done:
          status(old) === 'CREATE_FAILED'
            ? `Deleted node group ${nameOf(old)}, which EKS failed to create`
            : `Deleted node group ${nameOf(old)}, replaced by ${name}`,
      };
    }
    return {
      action: 'none',
      nodeGroupName: name,
      summary: `Node group ${name} matches the spec`,
      observed: observedOf(target.nodegroup),
      ...(degradedOf(target.nodegroup) ? { degraded: degradedOf(target.nodegroup)! } : {}),
    };
  }

  // No node group has the spec's replace fields yet.
  const busy = newestFirst.find((o) => ['CREATING', 'UPDATING', 'DELETING'].includes(status(o)));
  if (busy) return wait(busy, status(busy) === 'DELETING' ? 'gone' : 'active', `it is ${status(busy)}`);
  const failedDelete = newestFirst.find((o) => status(o) === 'DELETE_FAILED');
  if (failedDelete) deleteFailed(failedDelete);
  const failedCreate = newestFirst.find((o) => status(o) === 'CREATE_FAILED');
  if (failedCreate) {
    const issues = healthIssues(failedCreate.nodegroup);
    return {
      action: 'delete',
      nodeGroupName: nameOf(failedCreate),
      waitFor: 'gone',
      summary: `Deleting node group ${nameOf(failedCreate)}, which EKS failed to create${issues ? ` (${issues})` : ''}, to create it again`,
      done: `Deleted node group ${nameOf(failedCreate)}, which EKS failed to create${issues ? ` (${issues})` : ''}, to create it again`,
    };
  }
  const revision = owned.length ? Math.max(...owned.map((o) => o.revision)) + 1 : 0;
  const name = nodeGroupName(d.ref, revision);
  if (ctx.foreign.includes(name)) {
    throw new NameConflictError(
      `Node group ${name} exists in cluster ${d.spec.clusterName} but was not created by instance-manager for this group; delete or rename it`,
    );
  }
  const current = live[0];
  if (current) {
    const changes = replaceFieldChanges(d, current.nodegroup);
    if (!d.spec.replace) throw new ReplacementRequiredError(replacementMessage(nameOf(current), changes));
    return {
      action: 'create',
      nodeGroupName: name,
      waitFor: 'active',
      summary: `Creating node group ${name} to replace ${nameOf(current)}: ${describeChanges(changes)}`,
      done: `Created node group ${name} to replace ${nameOf(current)}: ${describeChanges(changes)}`,
      create: createRequest(d, name, ctx.idempotencyKey, current.nodegroup.scalingConfig?.desiredSize),
    };
  }
  return {
    action: 'create',
    nodeGroupName: name,
    waitFor: 'active',
    summary: `Creating node group ${name}`,
    done: `Created node group ${name}`,
    create: createRequest(d, name, ctx.idempotencyKey),
  };
}

/** The next step of a delete: wait for anything in progress, then delete every node group of the group. */
export function planDelete(owned: OwnedNodeGroup[]): NodeGroupDecision {
  const newestFirst = [...owned].sort((a, b) => b.revision - a.revision);
  const creating = newestFirst.find((o) => status(o) === 'CREATING' || status(o) === 'UPDATING');
  if (creating) return wait(creating, 'active', `it is ${status(creating)}; it is deleted once that ends`);
  const deletable = newestFirst.find((o) => status(o) !== 'DELETING');
  if (deletable) {
    const name = nameOf(deletable);
    return { action: 'delete', nodeGroupName: name, waitFor: 'gone', summary: `Deleting node group ${name}`, done: `Deleted node group ${name}` };
  }
  const deleting = newestFirst[0];
  if (deleting) return wait(deleting, 'gone', 'it is DELETING');
  return { action: 'none', summary: 'No node group of this group is left' };
}

/** name → revision for every name this group's node groups can have. */
export function revisionsByName(ref: GroupRef, max = MAX_REVISIONS): Map<string, number> {
  const out = new Map<string, number>();
  for (let r = 0; r < max; r++) out.set(nodeGroupName(ref, r), r);
  return out;
}
