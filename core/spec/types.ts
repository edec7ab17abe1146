import type { InstanceGroupSpec, InstanceGroupStatus } from '../schema/types.generated.js';

export type { InstanceGroupSpec, InstanceGroupStatus };
export type Provisioner = InstanceGroupSpec['provisioner'];
export type AvailableProvisioner = 'eks-cf' | 'eks-managed' | 'eks-fargate';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface InstanceGroup {
  apiVersion: 'instancemgr.keikoproj.io/v1alpha1';
  kind: 'InstanceGroup';
  metadata: ObjectMeta;
  spec: InstanceGroupSpec;
  status?: InstanceGroupStatus;
}

/** Values that apply when a spec leaves a field out; configured on the relay, carried by every event. */
export interface ClusterDefaults {
  clusterName?: string;
  subnets?: string[];
}

export type Tags = Record<string, string>;

export interface RollingUpdatePolicy {
  maxBatchSize: number;
  minInstancesInService: number;
  minSuccessfulInstancesPercent: number;
  pauseTime: string;
  suspendProcesses: string[];
  waitOnResourceSignals: boolean;
  /** Nodes drained per rotation batch: a count, or a percentage ("25%") of the desired size. */
  maxUnavailable: number | string;
  /** Seconds a batch's drain may take before drainTimeoutAction applies. */
  drainTimeoutSeconds: number;
  drainTimeoutAction: 'stop' | 'force';
}

interface Common {
  clusterName: string;
  tags: Tags;
}

export type ImageFamily = 'al2023' | 'bottlerocket' | 'al2';

/** A taint as kubelet registers it (Kubernetes spelling of the effect). */
export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface EksCfSpec extends Common {
  provisioner: 'eks-cf';
  minSize: number;
  maxSize: number;
  subnets: string[];
  /** ami-... or an alias (core/schema/openapi.ts IMAGE_ALIASES) resolved at apply time. */
  image: string;
  /** Set only when the spec says it; otherwise the image decides (functions/eks-cf/image.ts). */
  imageFamily?: ImageFamily;
  instanceType: string;
  keyPairName?: string;
  securityGroups: string[];
  volSize: number;
  volType: string;
  /** Provisioned IOPS (io1, io2, gp3) and throughput in MiB/s (gp3); AWS's defaults when left out. */
  volIops?: number;
  volThroughput?: number;
  nodeLabels: Record<string, string>;
  taints: NodeTaint[];
  maxPods?: number;
  /** Validated by core/schema/rules.ts: allow-listed kubelet flags and safe characters only. */
  bootstrapArguments: string;
  /** 1 unless the spec opts in to 2. */
  metadataHopLimit: number;
  spotPrice?: string;
  existingRole?: { roleName: string; instanceProfileName: string };
  managedPolicies: string[];
  metricsCollection: string[];
  /** strategy.type crd is refused until it is implemented (core/schema/rules.ts). */
  strategy: { type: 'rollingUpdate'; rollingUpdate: RollingUpdatePolicy };
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE';
}

export interface EksManagedSpec extends Common {
  provisioner: 'eks-managed';
  minSize: number;
  maxSize: number;
  subnets: string[];
  nodeRoleArn?: string;
  instanceTypes: string[];
  diskSize: number;
  amiType?: string;
  version?: string;
  releaseVersion?: string;
  capacityType: 'ON_DEMAND' | 'SPOT' | 'CAPACITY_BLOCK';
  remoteAccess?: { keyPairName: string; sourceSecurityGroups: string[] };
  labels: Record<string, string>;
  taints: Taint[];
  replace: boolean;
  /** strategy.rollingUpdate.maxUnavailable, passed to EKS as updateConfig; EKS's default when left out. */
  maxUnavailable?: number | string;
}

export interface FargateSelector {
  namespace: string;
  labels: Record<string, string>;
}

export interface EksFargateSpec extends Common {
  provisioner: 'eks-fargate';
  subnets: string[];
  profileName?: string;
  podExecutionRoleArn?: string;
  selectors: FargateSelector[];
}

/** A spec after defaults are applied and the reference shapes are read: what every workflow step works on. */
export type NormalizedSpec = EksCfSpec | EksManagedSpec | EksFargateSpec;
