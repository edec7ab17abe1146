// Over 350 lines on purpose: it is the single source of the API, one schema per section, and every description is
// what `kubectl explain` shows.
// The one source of truth for the InstanceGroup API. The CRD (infra/k8s/crd.yaml) and the TypeScript types
// (core/schema/types.generated.ts) are generated from this file by `npm run generate`; a unit test fails when
// either is stale. Cross-field rules live in ./rules.ts, which feeds both CEL and the shared validator; what nodes
// may be told (image aliases, kubelet flags, label syntax) lives in ./node-settings.ts. Longer than most modules on
// purpose: it reads top to bottom as the API, one section per provisioner.
import {
  ALLOWED_KUBELET_FLAGS,
  BOOTSTRAP_ARGUMENTS_MAX_LENGTH,
  IMAGE_ALIASES,
  IMAGE_FAMILIES,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
} from './node-settings.js';
import { AWS_MAX_TAGS, maxUserTags, tagBudgetReason } from './tag-budget.js';

export * from './node-settings.js';
export * from './tag-budget.js';

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: (string | number | boolean)[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
  nullable?: boolean;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string; reason?: string }[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  anyOf?: JsonSchema[];
}

export const API_GROUP = 'instancemgr.keikoproj.io';
export const API_VERSION = 'v1alpha1';
export const KIND = 'InstanceGroup';
export const PLURAL = 'instancegroups';
export const SINGULAR = 'instancegroup';
export const SHORT_NAMES = ['ig'];
/** `kubectl get instancemgr` lists every kind of the category. */
export const CATEGORIES = ['instancemgr'];

export const PROVISIONERS = ['eks-cf', 'eks-managed', 'eks-fargate', 'eks-tf', 'ec2-kops'] as const;
export const AVAILABLE_PROVISIONERS = ['eks-cf', 'eks-managed', 'eks-fargate'] as const;

/** Largest minSize/maxSize the schema accepts; the installation policy (core/policy) usually allows far less. */
export const MAX_GROUP_SIZE = 10000;

export const ID_PATTERNS = {
  ami: '^ami-[0-9a-zA-Z]+$',
  subnet: '^subnet-[0-9a-zA-Z]+$',
  securityGroup: '^sg-[0-9a-zA-Z]+$',
  iamRoleArn: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]+$',
  iamPolicyArn: '^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\w+=,.@/-]+$',
  /** A policy ARN, or the bare name of an AWS-managed policy (AmazonSSMManagedInstanceCore). */
  iamPolicyArnOrName: '^(arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\w+=,.@/-]+|[\\w+=,.@-]{1,128})$',
  iamName: '^[\\w+=,.@-]+$',
  clusterName: '^[0-9A-Za-z][A-Za-z0-9\\-_]*$',
  isoDuration: '^PT(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+S)?$',
} as const;

/** Every string has a maxLength (it bounds what CEL rules cost the API server); 256 unless a field says otherwise. */
const str = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'string', description, maxLength: 256, ...extra });
const int = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'integer', description, ...extra });
const stringList = (description: string, item: Partial<JsonSchema> = {}, maxItems = 20): JsonSchema => ({
  type: 'array',
  description,
  maxItems,
  items: { type: 'string', maxLength: 256, ...item },
});
const stringMap = (description: string): JsonSchema => ({
  type: 'object',
  description,
  maxProperties: 50,
  additionalProperties: { type: 'string', maxLength: 256 },
});

const clusterName = str(
  'Name of the EKS cluster the capacity belongs to. Optional: when left out, the cluster the relay runs in ' +
    '(its CLUSTER_NAME setting) is used.',
  { pattern: ID_PATTERNS.clusterName, maxLength: 100 },
);
const subnets = stringList(
  'Subnet IDs (subnet-...) to place capacity in. Optional only when the relay is configured with DEFAULT_SUBNETS; ' +
    'otherwise the workflow stops with an error that asks for this field.',
  { pattern: ID_PATTERNS.subnet },
);
const scalingBounds = {
  minSize: int('Minimum number of nodes. On create the desired capacity starts here; later changes never reset it.', {
    minimum: 0,
    maximum: MAX_GROUP_SIZE,
  }),
  maxSize: int(
    'Maximum number of nodes. Must be at least minSize. The installation policy (InstanceManagerPolicy "default", ' +
      'maxGroupSize) may allow less.',
    { minimum: 0, maximum: MAX_GROUP_SIZE },
  ),
};

/**
 * User tags as a list of {key, value} pairs. maxItems is AWS's own limit (it also bounds what the tag rules cost the
 * API server); the provisioner's lower limit is a rule in ./rules.ts, whose refusal says why.
 */
const keyValueTags = (provisioner: 'eks-cf' | 'eks-managed', where: string): JsonSchema => ({
  type: 'array',
  maxItems: AWS_MAX_TAGS,
  description:
    `${where}, as a list of {key, value} pairs, at most ${maxUserTags(provisioner)}: ${tagBudgetReason(provisioner, true)}. ` +
    'Keys starting with "aws:" are reserved by AWS; keys starting with "instancemgr.keikoproj.io/" are set by instance-manager.',
  items: {
    type: 'object',
    required: ['key', 'value'],
    properties: {
      key: str('Tag key, 1-128 characters.', { minLength: 1, maxLength: 128 }),
      value: str('Tag value, up to 256 characters.', { maxLength: 256 }),
    },
  },
});

/** The drain-aware rotation fields (issue 12); kept together so the strategy schema stays readable. */
function rotationFields(): Record<string, JsonSchema> {
  return {
    maxUnavailable: {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      description:
        'Nodes that may be unavailable (cordoned, draining or not yet replaced) at once: a count such as 2 or a ' +
        'percentage of the desired size such as "25%" (rounded down, at least 1). eks-cf: the size of each rotation ' +
        'batch. eks-managed: passed to EKS as updateConfig maxUnavailable or maxUnavailablePercentage. Default: ' +
        'maxBatchSize (eks-cf), EKS\'s own default (eks-managed).',
    },
    drainTimeout: str(
      'eks-cf: how long draining one batch may take (PodDisruptionBudgets may hold evictions), as an ISO 8601 ' +
        'duration such as PT15M. Default PT15M. What happens then is drainTimeoutAction.',
      { pattern: ID_PATTERNS.isoDuration },
    ),
    drainTimeoutAction: str(
      'eks-cf: stop (default): the rotation ends in Error naming the pod and the budget that blocked it, and the ' +
        'batch\'s nodes are uncordoned. force: the remaining pods are deleted (honouring their grace period) and ' +
        'the rotation goes on.',
      { enum: ['stop', 'force'] },
    ),
  };
}

const rollingUpdate: JsonSchema = {
  type: 'object',
  description:
    'How outdated nodes are replaced. eks-cf: the apply workflow rotates them in batches (surge a replacement, wait ' +
    'until it is a Ready node, cordon and drain the old node through the Eviction API, then terminate it). ' +
    'eks-managed: only maxUnavailable is read and passed to EKS as the node group updateConfig. Optional: every ' +
    'field has a default, so `strategy.type: rollingUpdate` alone is enough.',
  properties: {
    maxBatchSize: int(
      'eks-cf: old nodes drained per batch when maxUnavailable is not set (kept for compatibility). Default 1.',
      { minimum: 1, maximum: MAX_GROUP_SIZE },
    ),
    ...rotationFields(),
    minInstancesInService: int(
      'eks-cf: a batch never drains the group below this many in-service nodes; surge replacements count. ' +
        'Default 1 (capped at maxSize - 1).',
      { minimum: 0, maximum: MAX_GROUP_SIZE },
    ),
    minSuccessfulInstancesPercent: int(
      'No longer read: rotation waits for every replacement to be a Ready node. Kept so older objects stay valid.',
      { minimum: 0, maximum: 100 },
    ),
    pauseTime: str('eks-cf: pause after each rotation batch, as an ISO 8601 duration such as PT5M. Default PT5M.', {
      pattern: ID_PATTERNS.isoDuration,
    }),
    suspendProcesses: stringList(
      'No longer read: CloudFormation no longer replaces instances itself. Kept so older objects stay valid.',
      {
        enum: [
          'Launch',
          'Terminate',
          'HealthCheck',
          'ReplaceUnhealthy',
          'AZRebalance',
          'AlarmNotification',
          'ScheduledActions',
          'AddToLoadBalancer',
          'InstanceRefresh',
        ],
      },
    ),
    waitOnResourceSignals: {
      type: 'boolean',
      description:
        'eks-cf: new instances run cfn-signal at boot (their user data). Rotation itself waits for Ready nodes, not ' +
        'signals. Default false.',
    },
  },
};

const crdStrategy: JsonSchema = {
  type: 'object',
  description:
    'Settings for strategy.type crd: submit a custom resource (for example a rolling-upgrade object) and watch ' +
    'a status path until it reports success or failure.',
  required: ['crdName', 'spec'],
  properties: {
    crdName: str('Plural resource name of the custom resource to submit, e.g. rollingupgrades.', { maxLength: 253 }),
    spec: str('The custom resource to submit, as a YAML or JSON document.', { maxLength: 65536 }),
    statusJSONPath: str('JSONPath into the submitted object whose value reports progress. Default .status.currentStatus.'),
    statusSuccessString: str('Value at statusJSONPath that means success. Default "completed".'),
    statusFailureString: str('Value at statusJSONPath that means failure. Default "error".'),
    concurrencyPolicy: str('Whether a new roll may start while one is running. Default forbid.', {
      enum: ['forbid', 'allow'],
    }),
  },
};

const strategy: JsonSchema = {
  type: 'object',
  description:
    'How changes roll out to existing nodes. Optional. eks-cf defaults to rollingUpdate; eks-managed and ' +
    'eks-fargate use managed (AWS rolls the nodes).',
  properties: {
    type: str('rollingUpdate (eks-cf) or managed (eks-managed, eks-fargate). crd (a roll driven by a custom resource) is announced and refused until it is available.', {
      enum: ['rollingUpdate', 'crd', 'managed'],
    }),
    rollingUpdate,
    crd: crdStrategy,
    replace: {
      type: 'boolean',
      description:
        'eks-managed only. When true, a change AWS cannot make in place (instance types, subnets, disk size, AMI ' +
        'type) creates a new node group, waits for it, then deletes the old one. Default false: status explains ' +
        'what must be done instead.',
    },
  },
};

/** Kubernetes spelling, as kubelet registers them (eks-managed's taints use the EKS API spelling instead). */
const nodeTaint: JsonSchema = {
  type: 'object',
  required: ['key', 'effect'],
  properties: {
    key: str('Taint key: a qualified name such as dedicated or example.com/gpu.', {
      minLength: 1,
      maxLength: 253,
      pattern: LABEL_KEY_PATTERN,
    }),
    value: str('Taint value. Optional.', { maxLength: 63, pattern: LABEL_VALUE_PATTERN }),
    effect: str('NoSchedule, PreferNoSchedule or NoExecute.', { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] }),
  },
};

const eksCfConfiguration: JsonSchema = {
  type: 'object',
  description: 'What each node looks like and where it runs.',
  required: ['image', 'instanceType', 'securityGroups'],
  properties: {
    clusterName,
    subnets,
    image: str(
      'The node image. Required. Either an AMI ID (ami-...), or an alias that resolves, at every apply, to the current ' +
        'EKS-optimised AMI for the cluster\'s Kubernetes version from the public SSM parameters: ' +
        `${IMAGE_ALIASES.join(', ')}. status.imageId records the AMI that was used.`,
      { pattern: `^(ami-[0-9a-zA-Z]+|${IMAGE_ALIASES.join('|')})$` },
    ),
    imageFamily: str(
      'How the image boots: al2023 (nodeadm NodeConfig), bottlerocket (TOML settings) or al2 (/etc/eks/bootstrap.sh). ' +
        'Optional: read from the image (an alias says it; otherwise the AMI name and description), and al2023 when ' +
        'the image does not say.',
      { enum: [...IMAGE_FAMILIES] },
    ),
    instanceType: str('EC2 instance type, e.g. m5.large. Required.', { pattern: '^[a-z0-9-]+\\.[a-z0-9-]+$' }),
    keyPairName: str('Name of an existing EC2 key pair for SSH access. Optional.', { minLength: 1, maxLength: 255 }),
    securityGroups: stringList('Security group IDs (sg-...) attached to the nodes. Required, at least one.', {
      pattern: ID_PATTERNS.securityGroup,
    }),
    volSize: int('Root volume size in GiB. Default 32. At least 125 for st1 and sc1; at most 1024 for standard.', {
      minimum: 8,
      maximum: 16384,
    }),
    volType: str('Root volume type. Default gp3. io1 and io2 need volIops.', {
      enum: ['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard'],
    }),
    volIops: int(
      'Provisioned IOPS of the root volume. Required for io1 (100-64000, at most 50 per GiB) and io2 (100-256000, at ' +
        'most 1000 per GiB); optional for gp3 (3000-16000, AWS default 3000); not allowed for other types.',
      { minimum: 100, maximum: 256000 },
    ),
    volThroughput: int('Throughput of a gp3 root volume in MiB/s, 125-1000 (AWS default 125). gp3 only.', {
      minimum: 125,
      maximum: 1000,
    }),
    nodeLabels: {
      ...stringMap(
        'Kubernetes labels the nodes register with, rendered into each image family\'s boot configuration. Keys in ' +
          'the kubernetes.io and k8s.io namespaces are refused (the NodeRestriction admission plugin forbids kubelets ' +
          'to set them) except under kubelet.kubernetes.io/ and node.kubernetes.io/; instancemgr.keikoproj.io/ keys ' +
          'are set by instance-manager. Every node also gets instancemgr.keikoproj.io/namespace and ' +
          'instancemgr.keikoproj.io/instancegroup, and the workflow labels it node-role.kubernetes.io/<group name>.',
      ),
      additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE_PATTERN },
    },
    taints: {
      type: 'array',
      description: 'Kubernetes taints the nodes register with.',
      maxItems: 50,
      items: nodeTaint,
    },
    maxPods: int('Most pods kubelet runs on one node. Default: what the image computes for the instance type.', {
      minimum: 1,
      maximum: 1000,
    }),
    bootstrapArguments: str(
      'Kept for compatibility; prefer nodeLabels, taints and maxPods. Extra kubelet flags, space separated, each ' +
        '--<flag>=<value> from an allow-list (' +
        `${ALLOWED_KUBELET_FLAGS.map((f) => `--${f}`).join(', ')}` +
        '). Letters, digits and = , : . / _ - + < @ only: no quote, $, backtick, newline or control character. Flags ' +
        'that weaken the node (such as --anonymous-auth, --authorization-mode, --read-only-port) are refused. ' +
        'al2023 and al2 images only.',
      { maxLength: BOOTSTRAP_ARGUMENTS_MAX_LENGTH },
    ),
    metadataHopLimit: int(
      'Hop limit of the instance metadata service (IMDSv2 tokens are always required). Default 1: pods on the ' +
        'node network cannot reach the node role\'s credentials. 2 is an explicit opt-in for workloads that need ' +
        'the metadata service from inside containers.',
      { minimum: 1, maximum: 2 },
    ),
    spotPrice: str('Maximum spot price in USD per hour, e.g. "0.05". When set, nodes are spot instances.', {
      pattern: '^[0-9]+(\\.[0-9]+)?$',
    }),
    tags: keyValueTags('eks-cf', 'Tags added to the stack and to every resource it creates (Auto Scaling group, instances, volumes, launch template, node role)'),
    roleName: str(
      'Name of an existing IAM role for the nodes. When set, no role is created; the nodes use instanceProfileName, ' +
        'or the instance profile of the same name when that is left out.',
      { pattern: ID_PATTERNS.iamName, maxLength: 64 },
    ),
    instanceProfileName: str('Name of an existing instance profile for the nodes; needs roleName. Default: roleName.', {
      pattern: ID_PATTERNS.iamName,
      maxLength: 128,
    }),
    managedPolicies: stringList(
      'Extra managed policies for the created node role, added to the EKS worker, CNI and ECR read-only ' +
        'policies: ARNs, or bare names of AWS-managed policies (AmazonSSMManagedInstanceCore), which become ' +
        'arn:<partition>:iam::aws:policy/<name>. Not allowed with roleName.',
      { pattern: ID_PATTERNS.iamPolicyArnOrName },
    ),
    metricsCollection: stringList('Auto Scaling group metrics to collect, e.g. GroupInServiceInstances, or "all".'),
  },
};

const eksCf: JsonSchema = {
  type: 'object',
  description: 'Self-managed nodes in an Auto Scaling group, created through a CloudFormation stack.',
  required: ['minSize', 'maxSize', 'configuration'],
  properties: { ...scalingBounds, configuration: eksCfConfiguration },
};

const taint: JsonSchema = {
  type: 'object',
  required: ['key', 'effect'],
  properties: {
    key: str('Taint key.', { minLength: 1, maxLength: 63 }),
    value: str('Taint value.', { maxLength: 63 }),
    effect: str('NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE (the EKS API spelling).', {
      enum: ['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE'],
    }),
  },
};

const eksManagedConfiguration: JsonSchema = {
  type: 'object',
  description: 'The managed node group. Fields AWS cannot change in place are marked "replace".',
  properties: {
    clusterName,
    subnets: { ...subnets, description: `${subnets.description} Changing it needs a replace.` },
    nodeRole: str(
      'ARN of the IAM role the nodes use. Optional: when left out, instance-manager creates a role with the EKS ' +
        'worker, CNI and ECR read-only policies, and deletes it with the group. The installation policy ' +
        '(allowedRoles) must allow it.',
      { pattern: ID_PATTERNS.iamRoleArn, maxLength: 2048 },
    ),
    instanceType: str('One EC2 instance type. Use instanceTypes for several. Changing it needs a replace.'),
    instanceTypes: stringList('EC2 instance types, most preferred first. Changing them needs a replace.'),
    volSize: int('Disk size in GiB. Default 20. Changing it needs a replace.', { minimum: 1, maximum: 16384 }),
    amiType: str('AMI family, e.g. AL2023_x86_64_STANDARD. Default chosen by EKS. Changing it needs a replace.', {
      enum: [
        'AL2_x86_64',
        'AL2_x86_64_GPU',
        'AL2_ARM_64',
        'AL2023_x86_64_STANDARD',
        'AL2023_ARM_64_STANDARD',
        'AL2023_x86_64_NEURON',
        'AL2023_x86_64_NVIDIA',
        'BOTTLEROCKET_x86_64',
        'BOTTLEROCKET_ARM_64',
        'CUSTOM',
      ],
    }),
    version: str('Kubernetes version of the nodes, e.g. "1.31". Updated in place.', { pattern: '^[0-9]+\\.[0-9]+$' }),
    releaseVersion: str('EKS AMI release version. Updated in place.'),
    capacityType: str('ON_DEMAND or SPOT. Default ON_DEMAND. Changing it needs a replace.', {
      enum: ['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK'],
    }),
    keyPairName: str(
      'EC2 key pair for SSH access (remote access); requires securityGroups, since without them EKS opens SSH to ' +
        'the whole internet. Changing it needs a replace.',
      { minLength: 1, maxLength: 255 },
    ),
    securityGroups: stringList(
      'Source security groups allowed SSH access; goes with keyPairName. Changing them needs a replace.',
      { pattern: ID_PATTERNS.securityGroup },
    ),
    nodeLabels: stringMap('Kubernetes labels for the nodes. Updated in place.'),
    taints: { type: 'array', description: 'Kubernetes taints for the nodes. Updated in place.', maxItems: 50, items: taint },
    tags: keyValueTags('eks-managed', 'Tags for the node group (and the node role instance-manager creates)'),
  },
};

const eksManaged: JsonSchema = {
  type: 'object',
  description: 'An EKS managed node group.',
  required: ['minSize', 'maxSize'],
  properties: { ...scalingBounds, configuration: eksManagedConfiguration },
};

const fargateSelector: JsonSchema = {
  type: 'object',
  description:
    'Which pods run on Fargate: pods in `namespace` whose labels include every entry of `labels`. The reference ' +
    'shorthand `- my-namespace:` followed by `labels:` is read the same as `- namespace: my-namespace`.',
  'x-kubernetes-preserve-unknown-fields': true,
  properties: {
    namespace: str('Kubernetes namespace of the pods.', { maxLength: 63 }),
    labels: { ...stringMap('Labels a pod must carry (all of them). Up to 5.'), maxProperties: 5 },
  },
};

const eksFargate: JsonSchema = {
  type: 'object',
  description: 'An EKS Fargate profile. AWS cannot change a profile, so any change replaces it.',
  required: ['selectors'],
  properties: {
    clusterName,
    subnets: { ...subnets, description: `${subnets.description} Fargate accepts private subnets only.` },
    fargateProfileName: str(
      'Name of the Fargate profile. Optional: by default a name derived from cluster, namespace and group is used. ' +
        'A name already used by a profile instance-manager does not own is refused.',
      { pattern: '^[0-9A-Za-z][A-Za-z0-9\\-_]*$', maxLength: 100 },
    ),
    podExecutionRoleArn: str(
      'ARN of the pod execution role. Optional: when left out, instance-manager creates a role trusted by ' +
        'eks-fargate-pods.amazonaws.com with AmazonEKSFargatePodExecutionRolePolicy, and deletes it with the group.',
      { pattern: ID_PATTERNS.iamRoleArn, maxLength: 2048 },
    ),
    selectors: { type: 'array', description: 'Pod selectors, 1 to 5.', minItems: 1, maxItems: 5, items: fargateSelector },
    tags: {
      ...stringMap(
        `Tags for the Fargate profile (and the role instance-manager creates), as a key: value map, at most ` +
          `${maxUserTags('eks-fargate')}: ${tagBudgetReason('eks-fargate', true)}.`,
      ),
    },
  },
};

export function instanceGroupSpecSchema(): JsonSchema {
  return {
    type: 'object',
    description: 'Desired worker capacity. Set `provisioner` and the section of the same name.',
    required: ['provisioner'],
    properties: {
      provisioner: str(
        'Which AWS mechanism provides the capacity: eks-cf, eks-managed or eks-fargate. eks-tf and ec2-kops are ' +
          'announced and not yet available.',
        { enum: [...PROVISIONERS] },
      ),
      strategy,
      'eks-cf': eksCf,
      'eks-managed': eksManaged,
      'eks-fargate': eksFargate,
    },
  };
}

const condition: JsonSchema = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: str('Ready, Progressing, Degraded or NodesReady.'),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('One PascalCase word a program can match.'),
    message: str('What happened and, on failure, what to do about it.', { maxLength: 32768 }),
    lastTransitionTime: str('When status last changed.', { format: 'date-time' }),
    observedGeneration: int('The spec generation this condition describes.'),
  },
};

/** Where a drain-aware rotation is (eks-cf, issue 12): written by its steps, kept when it stops, cleared when Ready. */
const rotationStatus: JsonSchema = {
  type: 'object',
  description: 'The node rotation in progress, or the one that stopped (eks-cf). Absent when no rotation is under way.',
  properties: {
    generation: int('The spec generation the rotation applies.'),
    batch: int('The batch being rotated, 1-based.', { minimum: 0 }),
    batches: int('How many batches the rotation has.', { minimum: 0 }),
    replaced: int('Outdated nodes replaced so far.', { minimum: 0 }),
    total: int('Outdated nodes the rotation replaces in all.', { minimum: 0 }),
    waitingFor: str('What the rotation waits on now, such as a PodDisruptionBudget that refuses an eviction.', { maxLength: 1024 }),
    message: str('The progress in words: "rotating: batch 2 of 4, 3 of 8 nodes replaced".', { maxLength: 2048 }),
  },
};

export function instanceGroupStatusSchema(): JsonSchema {
  return {
    type: 'object',
    description: 'Written by instance-manager only.',
    properties: {
      currentState: str('ReconcileModifying, Ready, Error, Deleting (and the original controller\'s other values).'),
      observedGeneration: int('The spec generation the status describes.'),
      currentMin: int('Minimum size in effect.'),
      currentMax: int('Maximum size in effect.'),
      activeScalingGroupName: str('The Auto Scaling group holding the nodes (eks-cf, eks-managed).'),
      activeLaunchTemplateName: str('The launch template the nodes start from (eks-cf).'),
      nodesInstanceRoleArn: str('The IAM role the nodes use.', { maxLength: 2048 }),
      stackName: str('The CloudFormation stack (eks-cf).'),
      nodeGroupName: str('The managed node group (eks-managed).'),
      fargateProfileName: str('The Fargate profile (eks-fargate).'),
      podExecutionRoleArn: str('The pod execution role in use (eks-fargate).', { maxLength: 2048 }),
      lifecycle: str('spot or normal.'),
      imageId: str('The AMI the nodes start from (eks-cf): the spec\'s ami-..., or what its alias resolved to.'),
      imageFamily: str('How that image boots: al2023, bottlerocket or al2 (eks-cf).'),
      desiredNodes: int('Nodes the group should have now: the Auto Scaling group\'s desired capacity.', { minimum: 0 }),
      readyNodes: int('Nodes of the group registered in the cluster and Ready, when the workflow last looked.', { minimum: 0 }),
      rotation: rotationStatus,
      conditions: {
        type: 'array',
        description: 'Ready, Progressing, Degraded and NodesReady: at most one of each type.',
        items: condition,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      },
      clusterName: str('The EKS cluster the capacity belongs to (spec clusterName, else the cluster the relay runs in).'),
      lastExecution: {
        type: 'object',
        description: 'The Step Functions execution that last wrote this status.',
        properties: {
          arn: str('Execution ARN.', { maxLength: 2048 }),
          name: str('Execution name.'),
          consoleUrl: str('Where to inspect it in the AWS console.', { maxLength: 4096 }),
          generation: int('The spec generation it worked on.'),
          operation: str('apply or delete.'),
          attempt: int('1 for the first execution of a generation, higher for re-sends.'),
          result: str('Running, Succeeded, Failed or Superseded.'),
          retryable: { type: 'boolean', description: 'Whether a resync may re-send the work without a spec change.' },
        },
      },
    },
  };
}
