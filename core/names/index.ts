import { createHash } from 'node:crypto';

// Every AWS name instance-manager creates. Names read well (cluster, namespace, group) and never collide:
// a short hash of the exact identity is always appended, because joining names with "-" is ambiguous
// ("a-b"/"c" vs "a"/"b-c") and sanitising or truncating can merge distinct groups.

export interface GroupRef {
  clusterName: string;
  namespace: string;
  name: string;
}

export const LIMITS = {
  stackName: 128,
  nodeGroupName: 63,
  fargateProfileName: 63,
  iamRoleName: 64,
  instanceProfileName: 128,
  launchTemplateName: 128,
  executionName: 80,
} as const;

const HASH_LENGTH = 8;

export function shortHash(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, HASH_LENGTH);
}

/** Joins readable parts, keeps only allowed characters, trims to fit the limit, and appends the hash. */
function compose(parts: string[], hash: string, limit: number, allowed: RegExp, mustStartWithLetter = false): string {
  let readable = parts
    .join('-')
    .replace(allowed, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (mustStartWithLetter && !/^[A-Za-z]/.test(readable)) readable = `ig-${readable}`;
  const room = limit - hash.length - 1;
  readable = readable.slice(0, room).replace(/-+$/, '');
  return readable ? `${readable}-${hash}` : hash;
}

const NOT_ALNUM_DASH = /[^A-Za-z0-9-]+/g;
const NOT_ALNUM_DASH_UNDERSCORE = /[^A-Za-z0-9_-]+/g;
const NOT_IAM = /[^\w+=,.@-]+/g;

const identity = (g: GroupRef) => [g.clusterName, g.namespace, g.name];

/** CloudFormation stack: letters, digits, hyphens; starts with a letter; 128 characters. */
export function stackName(g: GroupRef): string {
  return compose(identity(g), shortHash('stack', ...identity(g)), LIMITS.stackName, NOT_ALNUM_DASH, true);
}

/** Managed node groups live inside a cluster, so the cluster name is left out of the readable part. */
export function nodeGroupName(g: GroupRef, revision = 0): string {
  const hash = shortHash('nodegroup', ...identity(g), revision);
  const parts = revision ? [g.namespace, g.name, `r${revision}`] : [g.namespace, g.name];
  return compose(parts, hash, LIMITS.nodeGroupName, NOT_ALNUM_DASH_UNDERSCORE, true);
}

export function fargateProfileName(g: GroupRef, revision = 0): string {
  const hash = shortHash('fargate', ...identity(g), revision);
  const parts = revision ? [g.namespace, g.name, `r${revision}`] : [g.namespace, g.name];
  return compose(parts, hash, LIMITS.fargateProfileName, NOT_ALNUM_DASH_UNDERSCORE, true);
}

export type RolePurpose = 'nodes' | 'fargate-pods';

/** IAM role names are account-wide, so they carry the cluster as well. */
export function roleName(g: GroupRef, purpose: RolePurpose): string {
  return compose([...identity(g), purpose], shortHash('role', purpose, ...identity(g)), LIMITS.iamRoleName, NOT_IAM);
}

export function instanceProfileName(g: GroupRef): string {
  return compose(identity(g), shortHash('profile', ...identity(g)), LIMITS.instanceProfileName, NOT_IAM);
}

export function launchTemplateName(g: GroupRef): string {
  return compose(identity(g), shortHash('lt', ...identity(g)), LIMITS.launchTemplateName, /[^A-Za-z0-9().\/_-]+/g);
}

export interface ExecutionRef {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  operation: 'apply' | 'delete';
  attempt?: number;
}

/**
 * Step Functions execution name: 80 characters of letters, digits, "-" and "_". Deterministic for
 * (uid, generation, operation, attempt), so a duplicate or replayed event cannot start a second execution.
 */
export function executionName(e: ExecutionRef): string {
  const attempt = e.attempt && e.attempt > 1 ? `-a${e.attempt}` : '';
  const suffix = `-g${e.generation}-${e.operation}${attempt}`;
  const hash = shortHash('execution', e.uid, e.generation, e.operation, e.attempt ?? 1);
  const room = LIMITS.executionName - suffix.length;
  return compose([e.namespace, e.name], hash, room, NOT_ALNUM_DASH_UNDERSCORE) + suffix;
}

export const FINALIZER = 'instancemgr.keikoproj.io/delete-workflow';

/** Tags that mark an AWS resource as created by instance-manager for one group. */
export const OWNERSHIP_TAGS = {
  cluster: 'instancemgr.keikoproj.io/cluster',
  namespace: 'instancemgr.keikoproj.io/namespace',
  name: 'instancemgr.keikoproj.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export function ownershipTags(g: GroupRef): Record<string, string> {
  return {
    [OWNERSHIP_TAGS.cluster]: g.clusterName,
    [OWNERSHIP_TAGS.namespace]: g.namespace,
    [OWNERSHIP_TAGS.name]: g.name,
    [OWNERSHIP_TAGS.managedBy]: 'instance-manager',
  };
}

export function consoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** Labels every node of a group carries; kubelet may set them itself (NodeRestriction allows this prefix). */
export const NODE_LABELS = {
  namespace: 'instancemgr.keikoproj.io/namespace',
  instanceGroup: 'instancemgr.keikoproj.io/instancegroup',
} as const;
/** The prefix `kubectl get nodes` reads ROLES from; NodeRestriction forbids kubelets to set it, so a step does. */
export const NODE_ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
export const LABEL_VALUE_LIMIT = 63;

/**
 * A label value (or label key name) of at most 63 characters: the name itself when it fits (namespaces always do),
 * otherwise its start and a hash of the whole, so two long names never share a label.
 */
export function labelSafe(name: string): string {
  if (name.length <= LABEL_VALUE_LIMIT) return name;
  return compose([name], shortHash('label', name), LABEL_VALUE_LIMIT, /[^A-Za-z0-9._-]+/g);
}

export function groupNodeLabels(g: Pick<GroupRef, 'namespace' | 'name'>): Record<string, string> {
  return { [NODE_LABELS.namespace]: labelSafe(g.namespace), [NODE_LABELS.instanceGroup]: labelSafe(g.name) };
}

/** node-role.kubernetes.io/<group name>: what `kubectl get nodes` shows under ROLES. */
export function nodeRoleLabel(g: Pick<GroupRef, 'name'>): string {
  return `${NODE_ROLE_LABEL_PREFIX}${labelSafe(g.name)}`;
}
