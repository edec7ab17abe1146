import { managedPolicyArn } from '../aws/partition.js';
import { InvalidSpecError, type FieldProblem } from '../errors/index.js';
import type { InstanceGroupSpec } from '../schema/types.generated.js';
import { ruleProblems } from '../validate/rule-check.js';
import { schemaProblems } from '../validate/schema-check.js';
import type {
  ClusterDefaults,
  EksCfSpec,
  EksFargateSpec,
  EksManagedSpec,
  FargateSelector,
  NormalizedSpec,
  RollingUpdatePolicy,
  Tags,
} from './types.js';

export const DEFAULT_VOLUME_SIZE_GIB = 32;
export const DEFAULT_VOLUME_TYPE = 'gp3';
export const DEFAULT_MANAGED_DISK_SIZE_GIB = 20;
export const DEFAULT_METADATA_HOP_LIMIT = 1;
export const DEFAULT_SUSPENDED_PROCESSES = [
  'HealthCheck',
  'ReplaceUnhealthy',
  'AZRebalance',
  'AlarmNotification',
  'ScheduledActions',
];

type RollingUpdateInput = NonNullable<NonNullable<InstanceGroupSpec['strategy']>['rollingUpdate']>;
type CfSection = NonNullable<InstanceGroupSpec['eks-cf']>;
type ManagedSection = NonNullable<InstanceGroupSpec['eks-managed']>;
type FargateSection = NonNullable<InstanceGroupSpec['eks-fargate']>;

class Collector {
  readonly problems: FieldProblem[] = [];
  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }
}

function keyValueTags(list: { key: string; value: string }[] | undefined): Tags {
  return Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
}

function clusterNameOf(given: string | undefined, field: string, defaults: ClusterDefaults, c: Collector): string {
  const name = given ?? defaults.clusterName;
  if (!name) c.add(field, `${field} is required: name the EKS cluster, or run the relay with CLUSTER_NAME set`);
  return name ?? '';
}

/** The EKS cluster a spec's capacity belongs to: its clusterName, else the relay's default, else the relay's own cluster. */
export function targetClusterName(spec: InstanceGroupSpec | undefined, cluster: { name: string; defaults?: ClusterDefaults }): string {
  const given = spec?.['eks-cf']?.configuration?.clusterName ?? spec?.['eks-managed']?.configuration?.clusterName ?? spec?.['eks-fargate']?.clusterName;
  return given || cluster.defaults?.clusterName || cluster.name;
}

function subnetsOf(given: string[] | undefined, field: string, defaults: ClusterDefaults, c: Collector): string[] {
  const subnets = given?.length ? given : defaults.subnets;
  if (!subnets?.length) {
    c.add(field, `${field} is required: list the subnet IDs (subnet-...), or configure DEFAULT_SUBNETS on the relay`);
  }
  return [...new Set(subnets ?? [])];
}

export function rollingUpdateDefaults(given: RollingUpdateInput | undefined, maxSize: number): RollingUpdatePolicy {
  return {
    maxBatchSize: given?.maxBatchSize ?? 1,
    minInstancesInService: given?.minInstancesInService ?? Math.min(1, Math.max(0, maxSize - 1)),
    minSuccessfulInstancesPercent: given?.minSuccessfulInstancesPercent ?? 100,
    pauseTime: given?.pauseTime ?? 'PT5M',
    suspendProcesses: given?.suspendProcesses ?? DEFAULT_SUSPENDED_PROCESSES,
    waitOnResourceSignals: given?.waitOnResourceSignals ?? false,
    maxUnavailable: given?.maxUnavailable ?? given?.maxBatchSize ?? 1,
    drainTimeoutSeconds: isoDurationSeconds(given?.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT),
    drainTimeoutAction: given?.drainTimeoutAction ?? 'stop',
  };
}

export const DEFAULT_DRAIN_TIMEOUT = 'PT15M';

/** Seconds in an ISO 8601 duration of the PTnHnMnS form the schema allows (PT0S and PT also mean 0). */
export function isoDurationSeconds(duration: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration of the form PTnHnMnS: ${duration}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** A count or percentage of `total`, rounded down, never below 1 (a rotation must make progress). */
export function resolveMaxUnavailable(value: number | string, total: number): number {
  if (typeof value === 'number') return Math.max(1, value);
  const percent = Number(value.replace('%', ''));
  return Math.max(1, Math.floor((total * percent) / 100));
}


/** Where AWS-managed policies live: `arn:<partition>:iam::aws:policy/<name>`. */
export interface NormalizeContext {
  /** The AWS partition of the account the workflows run in (aws, aws-cn, aws-us-gov, …). Default aws. */
  partition?: string;
}

/**
 * The original accepted `roleName` alone: the instance profile is the one of the same name (as the IAM console
 * and `aws iam create-instance-profile` conventions create it). An explicit instanceProfileName wins.
 */
export function existingRoleOf(cfg: { roleName?: unknown; instanceProfileName?: unknown }): EksCfSpec['existingRole'] | undefined {
  if (typeof cfg.roleName !== 'string' || !cfg.roleName) return undefined;
  const profile = typeof cfg.instanceProfileName === 'string' && cfg.instanceProfileName ? cfg.instanceProfileName : cfg.roleName;
  return { roleName: cfg.roleName, instanceProfileName: profile };
}

function normalizeEksCf(spec: InstanceGroupSpec, section: CfSection, defaults: ClusterDefaults, c: Collector, context: NormalizeContext): EksCfSpec {
  const cfg = section.configuration;
  const base = 'spec.eks-cf.configuration';
  const strategy = spec.strategy;
  const rollingUpdate = rollingUpdateDefaults(strategy?.rollingUpdate, section.maxSize);
  if (rollingUpdate.minInstancesInService >= section.maxSize && section.maxSize > 0) {
    c.add(
      'spec.strategy.rollingUpdate.minInstancesInService',
      `must be less than spec.eks-cf.maxSize (${section.maxSize}) or the rolling update can never start`,
    );
  }
  return {
    provisioner: 'eks-cf',
    clusterName: clusterNameOf(cfg.clusterName, `${base}.clusterName`, defaults, c),
    subnets: subnetsOf(cfg.subnets, `${base}.subnets`, defaults, c),
    minSize: section.minSize,
    maxSize: section.maxSize,
    image: cfg.image,
    ...(cfg.imageFamily ? { imageFamily: cfg.imageFamily } : {}),
    instanceType: cfg.instanceType,
    ...(cfg.keyPairName ? { keyPairName: cfg.keyPairName } : {}),
    securityGroups: [...new Set(cfg.securityGroups)],
    volSize: cfg.volSize ?? DEFAULT_VOLUME_SIZE_GIB,
    volType: cfg.volType ?? DEFAULT_VOLUME_TYPE,
    nodeLabels: (cfg.nodeLabels ?? {}) as Record<string, string>,
    taints: (cfg.taints ?? []).map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
    ...(cfg.maxPods !== undefined ? { maxPods: cfg.maxPods } : {}),
    ...(cfg.volIops !== undefined ? { volIops: cfg.volIops } : {}),
    ...(cfg.volThroughput !== undefined ? { volThroughput: cfg.volThroughput } : {}),
    bootstrapArguments: cfg.bootstrapArguments?.trim().replace(/ +/g, ' ') ?? '',
    metadataHopLimit: cfg.metadataHopLimit ?? DEFAULT_METADATA_HOP_LIMIT,
    ...(cfg.spotPrice ? { spotPrice: cfg.spotPrice } : {}),
    ...(existingRoleOf(cfg) ? { existingRole: existingRoleOf(cfg)! } : {}),
    managedPolicies: [...new Set((cfg.managedPolicies ?? []).map((p) => managedPolicyArn(p, context.partition)))],
    metricsCollection: cfg.metricsCollection ?? [],
    tags: keyValueTags(cfg.tags),
    strategy: { type: 'rollingUpdate', rollingUpdate },
  };
}

function normalizeEksManaged(
  spec: InstanceGroupSpec,
  section: ManagedSection,
  defaults: ClusterDefaults,
  c: Collector,
): EksManagedSpec {
  const cfg = section.configuration ?? {};
  const base = 'spec.eks-managed.configuration';
  return {
    provisioner: 'eks-managed',
    clusterName: clusterNameOf(cfg.clusterName, `${base}.clusterName`, defaults, c),
    subnets: subnetsOf(cfg.subnets, `${base}.subnets`, defaults, c),
    minSize: section.minSize,
    maxSize: section.maxSize,
    ...(cfg.nodeRole ? { nodeRoleArn: cfg.nodeRole } : {}),
    instanceTypes: cfg.instanceTypes ?? (cfg.instanceType ? [cfg.instanceType] : []),
    diskSize: cfg.volSize ?? DEFAULT_MANAGED_DISK_SIZE_GIB,
    ...(cfg.amiType ? { amiType: cfg.amiType } : {}),
    ...(cfg.version ? { version: cfg.version } : {}),
    ...(cfg.releaseVersion ? { releaseVersion: cfg.releaseVersion } : {}),
    capacityType: cfg.capacityType ?? 'ON_DEMAND',
    ...(cfg.keyPairName
      ? { remoteAccess: { keyPairName: cfg.keyPairName, sourceSecurityGroups: cfg.securityGroups ?? [] } }
      : {}),
    labels: (cfg.nodeLabels ?? {}) as Record<string, string>,
    taints: (cfg.taints ?? []).map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
    tags: keyValueTags(cfg.tags),
    replace: spec.strategy?.replace ?? false,
    ...(spec.strategy?.rollingUpdate?.maxUnavailable !== undefined ? { maxUnavailable: spec.strategy.rollingUpdate.maxUnavailable } : {}),
  };
}

/**
 * Reads one Fargate selector. Two shapes mean the same thing:
 *   - namespace: team-a            (the EKS API's own shape)
 *     labels: {app: web}
 *   - team-a:                      (the reference README's shorthand: a key named after the namespace, no value)
 *     labels: {app: web}
 */
export function readFargateSelector(raw: Record<string, unknown>, field: string, c: Collector): FargateSelector {
  const labels = (raw.labels ?? {}) as Record<string, string>;
  const shorthand = Object.entries(raw).filter(([key]) => key !== 'namespace' && key !== 'labels');
  for (const [key, value] of shorthand) {
    if (value !== null && value !== '' && !(typeof value === 'object' && Object.keys(value).length === 0)) {
      c.add(`${field}.${key}`, `unknown field with a value; write the namespace as "namespace: ${key}" or as "- ${key}:" with nothing after the colon`);
    }
  }
  const names = [...(typeof raw.namespace === 'string' ? [raw.namespace] : []), ...shorthand.map(([key]) => key)];
  if (names.length === 0) c.add(`${field}.namespace`, `${field}.namespace is required: name the namespace whose pods run on Fargate`);
  if (names.length > 1) {
    c.add(field, `${field} names more than one namespace (${names.join(', ')}); use one selector per namespace`);
  }
  return { namespace: names[0] ?? '', labels };
}

function normalizeEksFargate(section: FargateSection, defaults: ClusterDefaults, c: Collector): EksFargateSpec {
  const base = 'spec.eks-fargate';
  return {
    provisioner: 'eks-fargate',
    clusterName: clusterNameOf(section.clusterName, `${base}.clusterName`, defaults, c),
    subnets: subnetsOf(section.subnets, `${base}.subnets`, defaults, c),
    ...(section.fargateProfileName ? { profileName: section.fargateProfileName } : {}),
    ...(section.podExecutionRoleArn ? { podExecutionRoleArn: section.podExecutionRoleArn } : {}),
    selectors: section.selectors.map((s, i) => readFargateSelector(s as Record<string, unknown>, `${base}.selectors[${i}]`, c)),
    tags: (section.tags ?? {}) as Tags,
  };
}

function normalizeChecked(spec: InstanceGroupSpec, defaults: ClusterDefaults, c: Collector, context: NormalizeContext): NormalizedSpec {
  switch (spec.provisioner) {
    case 'eks-cf':
      return normalizeEksCf(spec, spec['eks-cf']!, defaults, c, context);
    case 'eks-managed':
      return normalizeEksManaged(spec, spec['eks-managed']!, defaults, c);
    case 'eks-fargate':
      return normalizeEksFargate(spec['eks-fargate']!, defaults, c);
    default:
      c.add('spec.provisioner', `${spec.provisioner} is not available yet; use eks-cf, eks-managed or eks-fargate`);
      throw new InvalidSpecError(c.problems);
  }
}

/** Validates a raw spec and returns it normalised, or throws InvalidSpecError listing every problem by field. */
export function normalizeSpec(raw: unknown, defaults: ClusterDefaults = {}, context: NormalizeContext = {}): NormalizedSpec {
  const shape = schemaProblems(raw);
  if (shape.length) throw new InvalidSpecError(shape);
  const rules = ruleProblems(raw);
  if (rules.length) throw new InvalidSpecError(rules);
  const c = new Collector();
  const spec = normalizeChecked(raw as InstanceGroupSpec, defaults, c, context);
  if (c.problems.length) throw new InvalidSpecError(c.problems);
  return spec;
}

/** Every problem with a spec, in the order a person would fix them: shape first, then cross-field rules, then defaults. */
export function specProblems(raw: unknown, defaults: ClusterDefaults = {}): FieldProblem[] {
  try {
    normalizeSpec(raw, defaults);
    return [];
  } catch (error) {
    if (error instanceof InvalidSpecError) return error.problems;
    throw error;
  }
}
