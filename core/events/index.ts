import type { InstanceGroupSpec } from '../schema/types.generated.js';
import type { ClusterDefaults } from '../spec/types.js';

// The contract between the relay and the workflows. Bump DETAIL_VERSION on any incompatible change.

export const EVENT_SOURCE = 'instancemgr.keikoproj.io';
export const DETAIL_TYPE = 'InstanceGroup Change';
export const DETAIL_VERSION = 1;
/** EventBridge's limit for one PutEvents entry, source, detail-type and detail included. */
export const MAX_ENTRY_BYTES = 256 * 1024;

export type Operation = 'apply' | 'delete';
export type ChangeReason = 'created' | 'updated' | 'deleted' | 'resync';

/**
 * Which cluster: an EKS cluster name is unique only within one account and region, so one deployment serving
 * several accounts or regions tells them apart by all three. region and accountId are optional in the contract
 * (events from older relays carry the name alone); the relay always sends region, and accountId when it knows it.
 */
export interface ClusterIdentity {
  name: string;
  region?: string;
  accountId?: string;
}

/** arn:<partition>:eks:<region>:<account>:cluster/<name>, when region and account are known: what `aws eks update-kubeconfig` names its context. */
export function clusterArn(cluster: ClusterIdentity, partition = 'aws'): string | undefined {
  return cluster.region && cluster.accountId ? `arn:${partition}:eks:${cluster.region}:${cluster.accountId}:cluster/${cluster.name}` : undefined;
}

/**
 * The cluster a spec's clusterName names: one deployment serves the clusters of its account and region, so it shares
 * the region and account of the cluster the change came from.
 */
export function namedCluster(from: ClusterIdentity, name: string): ClusterIdentity {
  return { ...from, name };
}

/** "my-eks-cluster (account 123456789012, us-west-2)", for messages. */
export function describeCluster(cluster: ClusterIdentity): string {
  const where = [cluster.accountId && `account ${cluster.accountId}`, cluster.region].filter(Boolean).join(', ');
  return where ? `${cluster.name} (${where})` : cluster.name;
}

export interface InstanceGroupChange {
  version: typeof DETAIL_VERSION;
  /** The cluster the InstanceGroup object lives in; the callback writes status there. */
  cluster: ClusterIdentity & { defaults: ClusterDefaults };
  group: { namespace: string; name: string; uid: string; generation: number; resourceVersion: string };
  provisioner: InstanceGroupSpec['provisioner'];
  operation: Operation;
  reason: ChangeReason;
  /** 1 for the first execution of a generation; the relay raises it when it re-sends a failed one. */
  attempt: number;
  spec: InstanceGroupSpec;
  /**
   * True when the spec was too large for one event and only what names the AWS resources was kept (see
   * withoutSpec). The workflows re-read the object anyway; they use this spec only once the object is gone.
   */
  specOmitted?: boolean;
  sentAt: string;
}

/** What a delete needs from the spec when the object is gone: the provisioner and the names it gives. */
const NAMING_FIELDS = ['clusterName', 'roleName', 'instanceProfileName', 'nodeRole', 'podExecutionRoleArn'];

function pick(from: unknown, keys: string[]): Record<string, unknown> {
  const source = (from ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/**
 * The change with its spec cut down to the provisioner and the fields that name AWS resources, for a spec larger
 * than an event may be: the change still reaches its workflow instead of being dropped.
 */
export function withoutSpec<T extends Pick<InstanceGroupChange, 'spec'>>(change: T): T {
  const spec = change.spec as unknown as Record<string, unknown> & { provisioner: InstanceGroupSpec['provisioner'] };
  const section = (spec[spec.provisioner] ?? {}) as Record<string, unknown>;
  const slim: Record<string, unknown> = { ...pick(section, NAMING_FIELDS) };
  if (section.configuration) slim.configuration = pick(section.configuration, NAMING_FIELDS);
  return { ...change, spec: { provisioner: spec.provisioner, [spec.provisioner]: slim } as unknown as InstanceGroupSpec, specOmitted: true };
}

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time?: Date;
}

export function toPutEventsEntry(change: InstanceGroupChange, eventBusName: string): PutEventsEntry {
  return { Source: EVENT_SOURCE, DetailType: DETAIL_TYPE, Detail: JSON.stringify(change), EventBusName: eventBusName };
}

/** Size as EventBridge counts it: UTF-8 bytes of source, detail-type, detail (and resources, which we never send). */
export function entrySize(entry: PutEventsEntry): number {
  return Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/** The EventBridge event pattern that selects one provisioner's operation: one rule per workflow. */
export function eventPattern(provisioner: string, operation: Operation) {
  return {
    source: [EVENT_SOURCE],
    'detail-type': [DETAIL_TYPE],
    detail: { version: [DETAIL_VERSION], provisioner: [provisioner], operation: [operation] },
  };
}

export function isInstanceGroupChange(value: unknown): value is InstanceGroupChange {
  const v = value as InstanceGroupChange;
  return (
    !!v &&
    v.version === DETAIL_VERSION &&
    typeof v.group?.uid === 'string' &&
    typeof v.group?.generation === 'number' &&
    (v.operation === 'apply' || v.operation === 'delete')
  );
}

// The relay's heartbeat: the leader sends one every HEARTBEAT_PERIOD, so that a silent relay (crashed, lost its
// credentials, cut off from EventBridge) raises an alarm even when no InstanceGroup changes.
export const HEARTBEAT_DETAIL_TYPE = 'Relay Heartbeat';

export interface RelayHeartbeat {
  version: typeof DETAIL_VERSION;
  cluster: { name: string };
  /** The relay replica that holds the Lease. */
  identity: string;
  sentAt: string;
}

export function heartbeatEntry(heartbeat: RelayHeartbeat, eventBusName: string): PutEventsEntry {
  return { Source: EVENT_SOURCE, DetailType: HEARTBEAT_DETAIL_TYPE, Detail: JSON.stringify(heartbeat), EventBusName: eventBusName };
}

/** The pattern of the rule that counts heartbeats (serverless.yml). */
export function heartbeatPattern() {
  return { source: [EVENT_SOURCE], 'detail-type': [HEARTBEAT_DETAIL_TYPE] };
}

export function isRelayHeartbeat(value: unknown): value is RelayHeartbeat {
  const v = value as RelayHeartbeat;
  return !!v && v.version === DETAIL_VERSION && typeof v.cluster?.name === 'string' && typeof v.identity === 'string';
}

// "A Node of a group became Ready": the relay watches the Nodes that carry our group labels and sends this, so the
// eks-cf node-join wait resumes when a node joins instead of polling (functions/eks-cf/node-events.ts).
export const NODE_READY_DETAIL_TYPE = 'InstanceGroup Node Ready';

export interface NodeReady {
  version: typeof DETAIL_VERSION;
  /** The cluster the relay (and so the InstanceGroup and its Nodes) lives in. */
  cluster: ClusterIdentity;
  /** From the node's group labels: the namespace, and the group's name (labelSafe: hashed past 63 characters). */
  group: { namespace: string; name: string };
  node: string;
  sentAt: string;
}

export function nodeReadyEntry(event: NodeReady, eventBusName: string): PutEventsEntry {
  return { Source: EVENT_SOURCE, DetailType: NODE_READY_DETAIL_TYPE, Detail: JSON.stringify(event), EventBusName: eventBusName };
}

/** The pattern of the rule that sends node-ready events to eks-cf-node-event (serverless.yml, local bus). */
export function nodeReadyPattern() {
  return { source: [EVENT_SOURCE], 'detail-type': [NODE_READY_DETAIL_TYPE], detail: { version: [DETAIL_VERSION] } };
}

export function isNodeReady(value: unknown): value is NodeReady {
  const v = value as NodeReady;
  return (
    !!v &&
    v.version === DETAIL_VERSION &&
    typeof v.cluster?.name === 'string' &&
    typeof v.group?.namespace === 'string' &&
    typeof v.group?.name === 'string' &&
    typeof v.node === 'string'
  );
}
