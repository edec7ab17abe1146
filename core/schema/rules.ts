// Over 350 lines on purpose: every cross-field rule in one list, so the CRD's CEL and the validator cannot differ.
// Cross-field rules, written once. Each becomes a CEL x-kubernetes-validations entry in the CRD (so the API
// server refuses the object at admission) and a predicate in the shared validator (so the CLI and the workflows
// refuse the same input with the same message). An integration test proves both agree on the real API server.

import {
  ALLOWED_KUBELET_FLAGS,
  BOOTSTRAP_ARGUMENTS_CHARACTERS,
  LABEL_KEY_PATTERN,
  WEAKENING_KUBELET_FLAGS,
} from './node-settings.js';
import { maxUserTags, tagBudgetReason, type TaggedProvisioner } from './tag-budget.js';

export { WEAKENING_KUBELET_FLAGS };

type Obj = Record<string, unknown>;

export interface CrossFieldRule {
  /** Dotted path of the schema node the rule is attached to, e.g. "spec" or "spec.eks-cf". */
  at: string;
  cel: string;
  message: string;
  /** True when the object at `at` satisfies the rule. Omitted for transition rules (they need the old object). */
  holds?: (self: Obj) => boolean;
}

const has = (o: Obj | undefined, key: string): boolean => o !== undefined && o !== null && o[key] !== undefined;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' ? (v as Obj) : undefined);
const celField = (name: string): string => name.replace(/-/g, '__dash__');

/** A CEL string literal holding `text` (a regular expression, say), escaped for CEL's single-quoted strings. */
const celString = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** maxUnavailable is int-or-string: a count of at least 1, or a percentage from 1% to 100%. */
const MAX_UNAVAILABLE_PERCENT = '^(100|[1-9][0-9]?)%$';
const maxUnavailableRule: CrossFieldRule = {
  at: 'spec.strategy.rollingUpdate',
  cel: `!has(self.maxUnavailable) || (type(self.maxUnavailable) == string ? string(self.maxUnavailable).matches(${celString(MAX_UNAVAILABLE_PERCENT)}) : int(self.maxUnavailable) >= 1)`,
  message: 'spec.strategy.rollingUpdate.maxUnavailable must be a count of at least 1 or a percentage such as "25%"',
  holds: (self) => {
    const v = self.maxUnavailable;
    if (v === undefined) return true;
    if (typeof v === 'string') return new RegExp(MAX_UNAVAILABLE_PERCENT).test(v);
    return typeof v === 'number' && Number.isInteger(v) && v >= 1;
  },
};

const SECTIONS = ['eks-cf', 'eks-managed', 'eks-fargate'] as const;

const sectionRules: CrossFieldRule[] = SECTIONS.flatMap((section): CrossFieldRule[] => [
  {
    at: 'spec',
    cel: `self.provisioner != '${section}' || has(self.${celField(section)})`,
    message: `spec.${section} is required when spec.provisioner is ${section}`,
    holds: (self) => self.provisioner !== section || has(self, section),
  },
  {
    at: 'spec',
    cel: `!has(self.${celField(section)}) || self.provisioner == '${section}'`,
    message: `spec.${section} is only allowed when spec.provisioner is ${section}; remove it or change the provisioner`,
    holds: (self) => !has(self, section) || self.provisioner === section,
  },
]);

const sizeRule = (section: string): CrossFieldRule => ({
  at: `spec.${section}`,
  cel: 'self.minSize <= self.maxSize',
  message: `spec.${section}.minSize must be less than or equal to spec.${section}.maxSize`,
  holds: (self) => typeof self.minSize !== 'number' || typeof self.maxSize !== 'number' || self.minSize <= self.maxSize,
});

const uniqueTagKeys = (at: string): CrossFieldRule => ({
  at,
  cel: 'self.all(t, self.exists_one(u, u.key == t.key))',
  message: `${at}: every tag key must appear only once`,
  holds: (self) => {
    const keys = (self as unknown as { key: string }[]).map((t) => t.key);
    return new Set(keys).size === keys.length;
  },
});

const noReservedTagKeys = (at: string): CrossFieldRule => ({
  at,
  cel: "self.all(t, !t.key.startsWith('aws:') && !t.key.startsWith('instancemgr.keikoproj.io/'))",
  message: `${at}: keys starting with "aws:" or "instancemgr.keikoproj.io/" are reserved`,
  holds: (self) =>
    (self as unknown as { key: string }[]).every(
      (t) => !t.key.startsWith('aws:') && !t.key.startsWith('instancemgr.keikoproj.io/'),
    ),
});

/** The provisioner's tag limit (core/schema/tag-budget.ts), with a refusal that says why and what to do. */
const tagLimit = (at: string, provisioner: TaggedProvisioner): CrossFieldRule => {
  const max = maxUserTags(provisioner);
  return {
    at,
    cel: `self.size() <= ${max}`,
    message: `${at}: at most ${max} tags (${tagBudgetReason(provisioner)}); remove tags until ${max} are left`,
    holds: (self) => (Array.isArray(self) ? self.length : Object.keys(self).length) <= max,
  };
};

const BOOTSTRAP_AT = 'spec.eks-cf.configuration.bootstrapArguments';
const flagPresent = (flag: string) => `(^| )--${flag}(=| |$)`;
/** Every space-separated word is --<allowed flag>=<value>. */
export const ALLOWED_FLAGS_PATTERN = `^ *(--(${ALLOWED_KUBELET_FLAGS.join('|')})=[^ ]+ *)*$`;

const bootstrapArgumentRules: CrossFieldRule[] = [
  {
    at: BOOTSTRAP_AT,
    cel: `self.matches(${celString(BOOTSTRAP_ARGUMENTS_CHARACTERS)})`,
    message:
      `${BOOTSTRAP_AT}: only letters, digits, spaces and = , : . / _ - + < @ are allowed (no quote, $, backtick, ` +
      'newline or control character); use nodeLabels, taints and maxPods for labels, taints and max pods',
    holds: (self) => new RegExp(BOOTSTRAP_ARGUMENTS_CHARACTERS).test(String(self)),
  },
  ...WEAKENING_KUBELET_FLAGS.map(
    (flag): CrossFieldRule => ({
      at: BOOTSTRAP_AT,
      cel: `!self.matches(${celString(flagPresent(flag))})`,
      message: `${BOOTSTRAP_AT}: --${flag} weakens the node's security and is refused; remove it`,
      holds: (self) => !new RegExp(flagPresent(flag)).test(String(self)),
    }),
  ),
  {
    at: BOOTSTRAP_AT,
    cel: `self.matches(${celString(ALLOWED_FLAGS_PATTERN)})`,
    message:
      `${BOOTSTRAP_AT}: every argument must be --<flag>=<value> with a flag from the allow-list ` +
      `(${ALLOWED_KUBELET_FLAGS.map((f) => `--${f}`).join(', ')})`,
    holds: (self) => new RegExp(ALLOWED_FLAGS_PATTERN).test(String(self)),
  },
];

const NODE_LABELS_AT = 'spec.eks-cf.configuration.nodeLabels';
/** Label prefixes NodeRestriction refuses to kubelets: kubernetes.io and k8s.io, and their subdomains. */
const KUBE_NAMESPACE_PREFIX = '^([^/]*\\.)?(kubernetes\\.io|k8s\\.io)/';
const KUBELET_ALLOWED_PREFIX = '^(kubelet|node)\\.kubernetes\\.io/';

const nodeLabelRules: CrossFieldRule[] = [
  {
    at: NODE_LABELS_AT,
    cel: `self.all(k, k.matches(${celString(LABEL_KEY_PATTERN)}))`,
    message: `${NODE_LABELS_AT}: every key must be a label key such as team or example.com/team (an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".")`,
    holds: (self) => Object.keys(self).every((k) => new RegExp(LABEL_KEY_PATTERN).test(k)),
  },
  {
    at: NODE_LABELS_AT,
    cel: "self.all(k, !k.startsWith('instancemgr.keikoproj.io/'))",
    message: `${NODE_LABELS_AT}: keys starting with "instancemgr.keikoproj.io/" are set by instance-manager`,
    holds: (self) => Object.keys(self).every((k) => !k.startsWith('instancemgr.keikoproj.io/')),
  },
  {
    at: NODE_LABELS_AT,
    cel: `self.all(k, !k.matches(${celString(KUBE_NAMESPACE_PREFIX)}) || k.matches(${celString(KUBELET_ALLOWED_PREFIX)}))`,
    message:
      `${NODE_LABELS_AT}: kubelet may not set labels in the kubernetes.io or k8s.io namespaces (NodeRestriction) except ` +
      'under kubelet.kubernetes.io/ and node.kubernetes.io/; node-role.kubernetes.io/<group name> is set by instance-manager',
    holds: (self) =>
      Object.keys(self).every((k) => !new RegExp(KUBE_NAMESPACE_PREFIX).test(k) || new RegExp(KUBELET_ALLOWED_PREFIX).test(k)),
  },
];

/** clusterName cannot be set, changed or removed on a live group: its stack, node group or profile would be orphaned. */
const clusterNameFixed = (at: string): CrossFieldRule => ({
  at,
  cel: 'has(self.clusterName) == has(oldSelf.clusterName) && (!has(self.clusterName) || self.clusterName == oldSelf.clusterName)',
  message: `${at}.clusterName cannot change on an existing group (its AWS resources live in the first cluster); delete this InstanceGroup and create a new one`,
});

const VOLUME_TYPE = (self: Obj): string => (typeof self.volType === 'string' ? self.volType : 'gp3');
const CEL_VOLUME_TYPE = "(has(self.volType) ? self.volType : 'gp3')";
const CEL_VOLUME_SIZE = '(has(self.volSize) ? self.volSize : 32)';
const VOLUME_SIZE = (self: Obj): number => (typeof self.volSize === 'number' ? self.volSize : 32);
const CF = 'spec.eks-cf.configuration';

/** EBS's own limits on the eks-cf root volume, so a spec AWS would refuse never reaches CloudFormation. */
const volumeRules: CrossFieldRule[] = [
  {
    at: CF,
    cel: `!(${CEL_VOLUME_TYPE} in ['io1', 'io2']) || has(self.volIops)`,
    message: `${CF}.volIops is required when volType is io1 or io2 (AWS provisions those volumes by IOPS)`,
    holds: (self) => !['io1', 'io2'].includes(VOLUME_TYPE(self)) || has(self, 'volIops'),
  },
  {
    at: CF,
    cel: `!has(self.volIops) || ${CEL_VOLUME_TYPE} in ['io1', 'io2', 'gp3']`,
    message: `${CF}.volIops applies to io1, io2 and gp3 volumes only; remove it or change volType`,
    holds: (self) => !has(self, 'volIops') || ['io1', 'io2', 'gp3'].includes(VOLUME_TYPE(self)),
  },
  {
    at: CF,
    cel: `!has(self.volThroughput) || ${CEL_VOLUME_TYPE} == 'gp3'`,
    message: `${CF}.volThroughput applies to gp3 volumes only; remove it or set volType: gp3`,
    holds: (self) => !has(self, 'volThroughput') || VOLUME_TYPE(self) === 'gp3',
  },
  {
    at: CF,
    cel: `!has(self.volIops) || ${CEL_VOLUME_TYPE} != 'gp3' || (self.volIops >= 3000 && self.volIops <= 16000)`,
    message: `${CF}.volIops must be between 3000 and 16000 for gp3`,
    holds: (self) => !has(self, 'volIops') || VOLUME_TYPE(self) !== 'gp3' || ((self.volIops as number) >= 3000 && (self.volIops as number) <= 16000),
  },
  {
    at: CF,
    cel: `!has(self.volIops) || ${CEL_VOLUME_TYPE} != 'io1' || (self.volIops <= 64000 && self.volIops <= 50 * ${CEL_VOLUME_SIZE})`,
    message: `${CF}.volIops for io1 must be at most 64000 and at most 50 per GiB of volSize`,
    holds: (self) =>
      !has(self, 'volIops') || VOLUME_TYPE(self) !== 'io1' || ((self.volIops as number) <= 64000 && (self.volIops as number) <= 50 * VOLUME_SIZE(self)),
  },
  {
    at: CF,
    cel: `!has(self.volIops) || ${CEL_VOLUME_TYPE} != 'io2' || self.volIops <= 1000 * ${CEL_VOLUME_SIZE}`,
    message: `${CF}.volIops for io2 must be at most 1000 per GiB of volSize`,
    holds: (self) => !has(self, 'volIops') || VOLUME_TYPE(self) !== 'io2' || (self.volIops as number) <= 1000 * VOLUME_SIZE(self),
  },
  {
    at: CF,
    cel: `!(${CEL_VOLUME_TYPE} in ['st1', 'sc1']) || ${CEL_VOLUME_SIZE} >= 125`,
    message: `${CF}.volSize must be at least 125 (GiB) for st1 and sc1 volumes`,
    holds: (self) => !['st1', 'sc1'].includes(VOLUME_TYPE(self)) || VOLUME_SIZE(self) >= 125,
  },
  {
    at: CF,
    cel: `${CEL_VOLUME_TYPE} != 'standard' || ${CEL_VOLUME_SIZE} <= 1024`,
    message: `${CF}.volSize must be at most 1024 (GiB) for standard (magnetic) volumes`,
    holds: (self) => VOLUME_TYPE(self) !== 'standard' || VOLUME_SIZE(self) <= 1024,
  },
];

export const CROSS_FIELD_RULES: CrossFieldRule[] = [
  {
    at: 'spec',
    cel: "self.provisioner in ['eks-cf', 'eks-managed', 'eks-fargate']",
    message: 'spec.provisioner: eks-tf and ec2-kops are announced but not available yet; use eks-cf, eks-managed or eks-fargate',
    holds: (self) => ['eks-cf', 'eks-managed', 'eks-fargate'].includes(String(self.provisioner)),
  },
  {
    at: 'spec',
    cel: 'self.provisioner == oldSelf.provisioner',
    message: 'spec.provisioner cannot change; delete this InstanceGroup and create a new one',
  },
  ...sectionRules,
  {
    at: 'spec',
    cel: "!has(self.strategy) || !has(self.strategy.type) || self.provisioner != 'eks-cf' || self.strategy.type != 'managed'",
    message: 'spec.strategy.type: eks-cf supports rollingUpdate or crd, not managed',
    holds: (self) => self.provisioner !== 'eks-cf' || obj(self.strategy)?.type !== 'managed',
  },
  {
    at: 'spec',
    cel: "!has(self.strategy) || !has(self.strategy.type) || self.provisioner == 'eks-cf' || self.strategy.type == 'managed'",
    message: 'spec.strategy.type must be managed (or left out) for eks-managed and eks-fargate: AWS rolls those nodes',
    holds: (self) => {
      const type = obj(self.strategy)?.type;
      return self.provisioner === 'eks-cf' || type === undefined || type === 'managed';
    },
  },
  {
    at: 'spec',
    cel: "!has(self.strategy) || !has(self.strategy.replace) || self.provisioner == 'eks-managed'",
    message: 'spec.strategy.replace applies to eks-managed only; remove it',
    holds: (self) => self.provisioner === 'eks-managed' || !has(obj(self.strategy), 'replace'),
  },
  {
    at: 'spec.strategy',
    cel: "!has(self.type) || self.type != 'crd'",
    message:
      'spec.strategy.type: crd (a roll driven by a custom resource) is announced but not available yet; use rollingUpdate',
    holds: (self) => self.type !== 'crd',
  },
  {
    at: 'spec.strategy',
    cel: "!has(self.type) || self.type != 'crd' || has(self.crd)",
    message: 'spec.strategy.crd is required when spec.strategy.type is crd',
    holds: (self) => self.type !== 'crd' || has(self, 'crd'),
  },
  {
    at: 'spec.strategy',
    cel: "!has(self.rollingUpdate) || !has(self.type) || self.type == 'rollingUpdate'",
    message: 'spec.strategy.rollingUpdate is only read when spec.strategy.type is rollingUpdate',
    holds: (self) => !has(self, 'rollingUpdate') || self.type === undefined || self.type === 'rollingUpdate',
  },
  maxUnavailableRule,
  sizeRule('eks-cf'),
  sizeRule('eks-managed'),
  {
    at: 'spec.eks-cf.configuration',
    cel: '!has(self.instanceProfileName) || has(self.roleName)',
    message:
      'spec.eks-cf.configuration.instanceProfileName needs roleName: name the existing role too (roleName alone uses the instance profile of the same name)',
    holds: (self) => !has(self, 'instanceProfileName') || has(self, 'roleName'),
  },
  {
    at: 'spec.eks-cf.configuration',
    cel: '!has(self.roleName) || !has(self.managedPolicies)',
    message:
      'spec.eks-cf.configuration.managedPolicies only apply to a role instance-manager creates; attach them to roleName yourself',
    holds: (self) => !has(self, 'roleName') || !has(self, 'managedPolicies'),
  },
  {
    at: 'spec.eks-cf.configuration',
    cel: 'self.securityGroups.size() > 0',
    message: 'spec.eks-cf.configuration.securityGroups needs at least one security group ID (sg-...)',
    holds: (self) => !Array.isArray(self.securityGroups) || self.securityGroups.length > 0,
  },
  tagLimit('spec.eks-cf.configuration.tags', 'eks-cf'),
  uniqueTagKeys('spec.eks-cf.configuration.tags'),
  noReservedTagKeys('spec.eks-cf.configuration.tags'),
  ...bootstrapArgumentRules,
  ...nodeLabelRules,
  {
    at: 'spec.eks-cf.configuration',
    cel: "!has(self.bootstrapArguments) || self.bootstrapArguments == '' || (!self.image.startsWith('bottlerocket') && (!has(self.imageFamily) || self.imageFamily != 'bottlerocket'))",
    message:
      'spec.eks-cf.configuration.bootstrapArguments is not read by Bottlerocket images; use nodeLabels, taints and maxPods instead',
    holds: (self) =>
      !self.bootstrapArguments || (!String(self.image ?? '').startsWith('bottlerocket') && self.imageFamily !== 'bottlerocket'),
  },
  ...volumeRules,
  clusterNameFixed('spec.eks-cf.configuration'),
  clusterNameFixed('spec.eks-managed.configuration'),
  clusterNameFixed('spec.eks-fargate'),
  {
    at: 'spec.eks-managed.configuration',
    cel: '!has(self.keyPairName) || has(self.securityGroups)',
    message:
      'spec.eks-managed.configuration.keyPairName needs securityGroups: without source security groups EKS opens SSH (port 22) to 0.0.0.0/0',
    holds: (self) => !has(self, 'keyPairName') || has(self, 'securityGroups'),
  },
  {
    at: 'spec.eks-managed.configuration',
    cel: '!(has(self.instanceType) && has(self.instanceTypes))',
    message: 'spec.eks-managed.configuration: set instanceType or instanceTypes, not both',
    holds: (self) => !(has(self, 'instanceType') && has(self, 'instanceTypes')),
  },
  {
    at: 'spec.eks-managed.configuration',
    cel: '!has(self.securityGroups) || has(self.keyPairName)',
    message: 'spec.eks-managed.configuration.securityGroups limit SSH access and need keyPairName',
    holds: (self) => !has(self, 'securityGroups') || has(self, 'keyPairName'),
  },
  tagLimit('spec.eks-managed.configuration.tags', 'eks-managed'),
  uniqueTagKeys('spec.eks-managed.configuration.tags'),
  noReservedTagKeys('spec.eks-managed.configuration.tags'),
  tagLimit('spec.eks-fargate.tags', 'eks-fargate'),
  {
    at: 'spec.eks-fargate.tags',
    cel: "self.all(k, !k.startsWith('aws:') && !k.startsWith('instancemgr.keikoproj.io/'))",
    message: 'spec.eks-fargate.tags: keys starting with "aws:" or "instancemgr.keikoproj.io/" are reserved',
    holds: (self) => Object.keys(self).every((k) => !k.startsWith('aws:') && !k.startsWith('instancemgr.keikoproj.io/')),
  },
  {
    at: 'spec.eks-fargate.tags',
    cel: 'self.all(k, k.size() >= 1 && k.size() <= 128)',
    message: 'spec.eks-fargate.tags: every key must be 1-128 characters (AWS tag keys)',
    holds: (self) => Object.keys(self).every((k) => k.length >= 1 && k.length <= 128),
  },
];
