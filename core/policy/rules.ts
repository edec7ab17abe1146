// The installation policy's rules, written once. Each rule has a CEL form for the ValidatingAdmissionPolicy (over
// the raw InstanceGroup as the API server sees it, with the policy's values as `variables.p`) and a TypeScript form
// for the workflows' pre-flight (over the normalised spec). Both name the field and the policy field that refused it.
import type { FieldProblem } from '../errors/index.js';
import type { NormalizedSpec } from '../spec/types.js';
import { allows, celAllows, POLICY_REF, roleNameOf, type InstallationPolicy } from './policy.js';

export interface PolicyContext {
  policy: InstallationPolicy;
  /** The group's namespace. */
  namespace: string;
  /** The cluster the relay runs in (a group that leaves clusterName out gets this one): always allowed. */
  relayCluster: string;
}

export interface PolicyRule {
  /** The policy field the rule enforces; every refusal names it. */
  name: keyof InstallationPolicy;
  /** CEL over `object`, `request`, `variables.p` (the policy's values) and ADMISSION_VARIABLES; true when the spec complies. */
  expression: string;
  /** CEL string naming the field, the offending value and the rule. */
  messageExpression: string;
  /** A static message for when messageExpression cannot be evaluated. */
  message: string;
  /** The pre-flight's twin: the problems of a normalised spec. */
  check: (spec: NormalizedSpec, ctx: PolicyContext) => FieldProblem[];
}

/** How to widen the policy, appended to every refusal. */
const WIDEN = `ask a cluster administrator to widen ${POLICY_REF} (docs/operations/security.md)`;
const CEL_WIDEN = `'${WIDEN}'`;
const refusal = (rule: keyof InstallationPolicy) => `is not allowed by ${POLICY_REF} (${rule}); ${WIDEN}`;
const celRefusal = (rule: keyof InstallationPolicy) => `' is not allowed by ${POLICY_REF} (${rule}); ' + ${CEL_WIDEN}`;

/**
 * Named CEL values the rules share, after `p` (the policy's values, which ./admission.ts writes in). `conf` is the
 * section's configuration (the section itself for eks-fargate).
 */
export const ADMISSION_VARIABLES: { name: string; expression: string }[] = [
  { name: 'provisioner', expression: "has(object.spec.provisioner) ? object.spec.provisioner : ''" },
  { name: 'section', expression: 'variables.provisioner in object.spec ? object.spec[variables.provisioner] : {}' },
  {
    name: 'conf',
    expression:
      "variables.provisioner == 'eks-fargate' ? variables.section : ('configuration' in variables.section ? variables.section.configuration : {})",
  },
  { name: 'at', expression: "'spec.' + variables.provisioner + (variables.provisioner == 'eks-fargate' ? '' : '.configuration')" },
  {
    name: 'sizeLimit',
    expression:
      'request.namespace in variables.p.maxGroupSizeByNamespace ? variables.p.maxGroupSizeByNamespace[request.namespace] : variables.p.maxGroupSize',
  },
  {
    name: 'instanceTypes',
    expression:
      "('instanceType' in variables.conf ? [variables.conf.instanceType] : []) + ('instanceTypes' in variables.conf ? variables.conf.instanceTypes : [])",
  },
];

const sectionPath = (spec: NormalizedSpec) => (spec.provisioner === 'eks-fargate' ? 'spec.eks-fargate' : `spec.${spec.provisioner}.configuration`);
const celName = (value: string) => `${value}.substring(${value}.lastIndexOf('/') + 1)`;

/** A role field (a name or an ARN) checked against allowedRoles. */
function roleRule(field: string, read: (spec: NormalizedSpec) => string | undefined): PolicyRule {
  const value = `variables.conf.${field}`;
  return {
    name: 'allowedRoles',
    expression: `!('${field}' in variables.conf) || ${celAllows('variables.p.allowedRoles', celName(value))}`,
    messageExpression: `variables.at + '.${field}: IAM role ' + ${value} + ${celRefusal('allowedRoles')}`,
    message: `${field}: this IAM role ${refusal('allowedRoles')}`,
    check: (spec, { policy }) => {
      const given = read(spec);
      if (!given || allows(policy.allowedRoles, roleNameOf(given))) return [];
      return [{ field: `${sectionPath(spec)}.${field}`, message: `IAM role ${given} ${refusal('allowedRoles')}` }];
    },
  };
}

export const POLICY_RULES: PolicyRule[] = [
  {
    name: 'allowedClusters',
    expression: `!('clusterName' in variables.conf) || ${celAllows('variables.p.allowedClusters', 'variables.conf.clusterName')}`,
    messageExpression: `variables.at + '.clusterName: EKS cluster ' + variables.conf.clusterName + ${celRefusal('allowedClusters')}`,
    message: `clusterName: this EKS cluster ${refusal('allowedClusters')}`,
    check: (spec, { policy, relayCluster }) =>
      spec.clusterName === relayCluster || allows(policy.allowedClusters, spec.clusterName)
        ? []
        : [{ field: `${sectionPath(spec)}.clusterName`, message: `EKS cluster ${spec.clusterName} ${refusal('allowedClusters')}` }],
  },
  roleRule('roleName', (spec) => (spec.provisioner === 'eks-cf' ? spec.existingRole?.roleName : undefined)),
  roleRule('nodeRole', (spec) => (spec.provisioner === 'eks-managed' ? spec.nodeRoleArn : undefined)),
  roleRule('podExecutionRoleArn', (spec) => (spec.provisioner === 'eks-fargate' ? spec.podExecutionRoleArn : undefined)),
  {
    name: 'allowedInstanceProfiles',
    expression: `!('instanceProfileName' in variables.conf) || ${celAllows('variables.p.allowedInstanceProfiles', 'variables.conf.instanceProfileName')}`,
    messageExpression: `variables.at + '.instanceProfileName: instance profile ' + variables.conf.instanceProfileName + ${celRefusal('allowedInstanceProfiles')}`,
    message: `instanceProfileName: this instance profile ${refusal('allowedInstanceProfiles')}`,
    check: (spec, { policy }) => {
      const given = spec.provisioner === 'eks-cf' ? spec.existingRole?.instanceProfileName : undefined;
      if (!given || allows(policy.allowedInstanceProfiles, given)) return [];
      return [{ field: `${sectionPath(spec)}.instanceProfileName`, message: `instance profile ${given} ${refusal('allowedInstanceProfiles')}` }];
    },
  },
  {
    name: 'allowedManagedPolicies',
    expression: `!('managedPolicies' in variables.conf) || variables.conf.managedPolicies.all(m, ${celAllows('variables.p.allowedManagedPolicies', 'm')})`,
    messageExpression:
      `variables.at + '.managedPolicies: ' + variables.conf.managedPolicies.filter(m, !${celAllows('variables.p.allowedManagedPolicies', 'm')}).join(', ') + ` +
      celRefusal('allowedManagedPolicies'),
    message: `managedPolicies: a policy ${refusal('allowedManagedPolicies')}`,
    check: (spec, { policy }) => {
      if (spec.provisioner !== 'eks-cf') return [];
      const refused = spec.managedPolicies.filter((arn) => !allows(policy.allowedManagedPolicies, arn));
      return refused.length ? [{ field: `${sectionPath(spec)}.managedPolicies`, message: `${refused.join(', ')} ${refusal('allowedManagedPolicies')}` }] : [];
    },
  },
  {
    name: 'maxGroupSize',
    expression: "!('maxSize' in variables.section) || variables.section.maxSize <= variables.sizeLimit",
    messageExpression:
      "'spec.' + variables.provisioner + '.maxSize: ' + string(variables.section.maxSize) + ' is above ' + string(variables.sizeLimit) + " +
      `', the largest size ${POLICY_REF} allows in namespace ' + request.namespace + ' (maxGroupSize, maxGroupSizeByNamespace); ' + ${CEL_WIDEN}`,
    message: `maxSize is above what ${POLICY_REF} allows (maxGroupSize); ${WIDEN}`,
    check: (spec, { policy, namespace }) => {
      if (spec.provisioner === 'eks-fargate') return [];
      const limit = policy.maxGroupSizeByNamespace[namespace] ?? policy.maxGroupSize;
      return spec.maxSize <= limit
        ? []
        : [
            {
              field: `spec.${spec.provisioner}.maxSize`,
              message: `${spec.maxSize} is above ${limit}, the largest size ${POLICY_REF} allows in namespace ${namespace} (maxGroupSize, maxGroupSizeByNamespace); ${WIDEN}`,
            },
          ];
    },
  },
  {
    name: 'allowedInstanceTypes',
    expression: `variables.instanceTypes.all(t, ${celAllows('variables.p.allowedInstanceTypes', 't')})`,
    messageExpression:
      `variables.at + ('instanceTypes' in variables.conf ? '.instanceTypes: ' : '.instanceType: ') + ` +
      `variables.instanceTypes.filter(t, !${celAllows('variables.p.allowedInstanceTypes', 't')}).join(', ') + ${celRefusal('allowedInstanceTypes')}`,
    message: `instance type ${refusal('allowedInstanceTypes')}`,
    check: (spec, { policy }) => {
      const types = spec.provisioner === 'eks-cf' ? [spec.instanceType] : spec.provisioner === 'eks-managed' ? spec.instanceTypes : [];
      const refused = types.filter((t) => !allows(policy.allowedInstanceTypes, t));
      const field = spec.provisioner === 'eks-managed' && types.length > 1 ? 'instanceTypes' : 'instanceType';
      return refused.length ? [{ field: `${sectionPath(spec)}.${field}`, message: `${refused.join(', ')} ${refusal('allowedInstanceTypes')}` }] : [];
    },
  },
  {
    name: 'fargateSelectorsMayNameOtherNamespaces',
    // A selector names its namespace as `namespace: x` or, in the reference shorthand, as a key `x:`. A selector
    // whose namespace only survives in kubectl's last-applied annotation is left to the pre-flight, which reads it.
    expression:
      "variables.provisioner != 'eks-fargate' || variables.p.fargateSelectorsMayNameOtherNamespaces || !('selectors' in variables.conf) || " +
      "variables.conf.selectors.all(s, s.all(k, k == 'labels' || (k == 'namespace' ? s[k] == request.namespace : k == request.namespace)))",
    messageExpression:
      "'spec.eks-fargate.selectors: a selector names a namespace other than ' + request.namespace + ' (the group\\'s own), which' + " +
      celRefusal('fargateSelectorsMayNameOtherNamespaces'),
    message: `spec.eks-fargate.selectors: a selector names a namespace other than the group's own; this ${refusal('fargateSelectorsMayNameOtherNamespaces')}`,
    check: (spec, { policy, namespace }) => {
      if (spec.provisioner !== 'eks-fargate' || policy.fargateSelectorsMayNameOtherNamespaces) return [];
      return spec.selectors.flatMap((s, i) =>
        s.namespace === namespace
          ? []
          : [
              {
                field: `spec.eks-fargate.selectors[${i}].namespace`,
                message: `namespace ${s.namespace} is not the group's own (${namespace}); naming it ${refusal('fargateSelectorsMayNameOtherNamespaces')}`,
              },
            ],
      );
    },
  },
];

/** Every way the spec goes beyond the installation policy; empty when it complies. */
export function policyProblems(spec: NormalizedSpec, ctx: PolicyContext): FieldProblem[] {
  return POLICY_RULES.flatMap((rule) => rule.check(spec, ctx));
}
