// Fields AWS can only set at creation (instance types, subnets, disk size, AMI type, capacity type, remote
// access, node role) are compared with what instance-manager created the group with, recorded in a tag
// (CREATED_WITH_TAG: one short hash per field). Comparing with EKS's echo instead would mistake EKS's own
// defaults (an AMI type, an instance type) for a change, and would miss a field the user removed.
import type { Nodegroup } from '@aws-sdk/client-eks';
import { shortHash } from '../../core/names/index.js';
import type { DesiredNodeGroup } from './node-group.js';

export const CREATED_WITH_TAG = 'instancemgr.keikoproj.io/created-with';

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

const sorted = (list: string[] | undefined) => [...(list ?? [])].sort();

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
