// The installation policy: what InstanceGroups may ask of AWS, set by the cluster administrator in one
// cluster-scoped InstanceManagerPolicy object named "default". The CRD (infra/k8s/policy/crd.yaml) is generated
// from POLICY_SPEC_SCHEMA. The workflows' pre-flight (./read.ts, ./rules.ts) reads the object; the admission policy
// (./admission.ts) is rendered from it with its values written in. Both judge a spec by the same rules.
import { API_GROUP, type JsonSchema } from '../schema/openapi.js';

export const POLICY_KIND = 'InstanceManagerPolicy';
export const POLICY_PLURAL = 'instancemanagerpolicies';
export const POLICY_VERSION = 'v1alpha1';
/** The one object the admission binding and the pre-flight read. */
export const POLICY_NAME = 'default';
export const POLICY_REF = `${POLICY_KIND} "${POLICY_NAME}"`;

/** IAM path of every role and instance profile instance-manager creates; its IAM permissions are scoped to it. */
export const IAM_PATH = '/instance-manager/';

export const DEFAULT_MANAGED_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
];

export const DEFAULT_MAX_GROUP_SIZE = 100;

export interface InstallationPolicy {
  allowedClusters: string[];
  allowedRoles: string[];
  allowedInstanceProfiles: string[];
  allowedManagedPolicies: string[];
  maxGroupSize: number;
  maxGroupSizeByNamespace: Record<string, number>;
  allowedInstanceTypes: string[];
  fargateSelectorsMayNameOtherNamespaces: boolean;
}

/** What applies when the object is missing or leaves a field out: the strictest useful installation. */
export const DEFAULT_POLICY: InstallationPolicy = {
  allowedClusters: [],
  allowedRoles: [],
  allowedInstanceProfiles: [],
  allowedManagedPolicies: DEFAULT_MANAGED_POLICIES,
  maxGroupSize: DEFAULT_MAX_GROUP_SIZE,
  maxGroupSizeByNamespace: {},
  allowedInstanceTypes: ['*'],
  fargateSelectorsMayNameOtherNamespaces: false,
};

const PATTERNS =
  'Each entry is an exact value, or ends in "*" to allow every value that starts with what precedes it ("*" alone ' +
  'allows anything).';
const patternList = (description: string, fallback: string[]): JsonSchema => ({
  type: 'array',
  description: `${description} ${PATTERNS}`,
  maxItems: 200,
  items: { type: 'string', minLength: 1, maxLength: 2048 },
  default: fallback,
});

export const POLICY_SPEC_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'What InstanceGroups in this cluster may ask of AWS. Every field has a safe default.',
  properties: {
    allowedClusters: patternList(
      'EKS clusters a group may name in clusterName. A group that leaves clusterName out uses the cluster the relay ' +
        'runs in, which is always allowed. Default: none besides that one.',
      [],
    ),
    allowedRoles: patternList(
      'Existing IAM roles a group may use instead of one instance-manager creates: eks-cf roleName, eks-managed ' +
        'nodeRole and eks-fargate podExecutionRoleArn, matched by role name (the part of an ARN after the last "/"). ' +
        'Default: none, so groups use the roles instance-manager creates under the IAM path /instance-manager/.',
      [],
    ),
    allowedInstanceProfiles: patternList('Existing instance profiles eks-cf instanceProfileName may name. Default: none.', []),
    allowedManagedPolicies: patternList(
      'Managed policy ARNs eks-cf managedPolicies may attach to the node role instance-manager creates. Default: the ' +
        'EKS worker, CNI, ECR read-only and SSM core policies.',
      DEFAULT_MANAGED_POLICIES,
    ),
    maxGroupSize: {
      type: 'integer',
      description: `Largest maxSize a group may ask for. Default ${DEFAULT_MAX_GROUP_SIZE}.`,
      minimum: 0,
      maximum: 100000,
      default: DEFAULT_MAX_GROUP_SIZE,
    },
    maxGroupSizeByNamespace: {
      type: 'object',
      description: 'Per-namespace overrides of maxGroupSize: namespace → largest maxSize.',
      maxProperties: 1000,
      additionalProperties: { type: 'integer', minimum: 0, maximum: 100000 },
      default: {},
    },
    allowedInstanceTypes: patternList(
      'EC2 instance types a group may use, e.g. ["m5.*", "c5.large"]. Default: ["*"], any type.',
      ['*'],
    ),
    fargateSelectorsMayNameOtherNamespaces: {
      type: 'boolean',
      description:
        "Whether a Fargate profile's selectors may name namespaces other than the group's own (kube-system, " +
        "another team's). Default false.",
      default: false,
    },
  },
};

export function policyCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${POLICY_PLURAL}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      scope: 'Cluster',
      names: { kind: POLICY_KIND, listKind: `${POLICY_KIND}List`, plural: POLICY_PLURAL, singular: POLICY_KIND.toLowerCase() },
      versions: [
        {
          name: POLICY_VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'The installation policy of instance-manager, set by the cluster administrator. Only the object named ' +
                `"${POLICY_NAME}" is read; admission and every workflow's pre-flight enforce it.`,
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: { ...POLICY_SPEC_SCHEMA, default: {} },
              },
              'x-kubernetes-validations': [
                {
                  rule: `self.metadata.name == '${POLICY_NAME}'`,
                  message: `metadata.name must be "${POLICY_NAME}": instance-manager reads only that object`,
                },
              ],
            },
          },
        },
      ],
    },
  };
}

/** The object the installation ships: every default spelled out, so `kubectl edit` shows what can be widened. */
export function defaultPolicyObject(overrides: Partial<InstallationPolicy> = {}) {
  return {
    apiVersion: `${API_GROUP}/${POLICY_VERSION}`,
    kind: POLICY_KIND,
    metadata: { name: POLICY_NAME },
    spec: { ...DEFAULT_POLICY, ...overrides },
  };
}

/** The policy with every field filled in: absent fields (an older object, a missing object) take the defaults. */
export function withDefaults(spec: Partial<InstallationPolicy> | undefined): InstallationPolicy {
  const given = Object.fromEntries(Object.entries(spec ?? {}).filter(([, v]) => v !== undefined && v !== null));
  return { ...DEFAULT_POLICY, ...given } as InstallationPolicy;
}

/** An entry allows a value when equal to it, or when it ends in "*" and the value starts with the rest. */
export function allows(entries: readonly string[], value: string): boolean {
  return entries.some((entry) => entry === value || (entry.endsWith('*') && value.startsWith(entry.replace(/\*/g, ''))));
}

/** The CEL twin of allows(), for a list expression and a value expression. */
export const celAllows = (list: string, value: string): string =>
  `${list}.exists(a, a == ${value} || (a.endsWith('*') && ${value}.startsWith(a.replace('*', ''))))`;

/** Role name of a role ARN (path dropped), or the value itself when it is already a name. */
export const roleNameOf = (arnOrName: string): string => arnOrName.slice(arnOrName.lastIndexOf('/') + 1);

/** An InstanceManagerPolicy document that is not the "default" object, or whose spec does not fit the CRD's types. */
export class PolicyObjectError extends Error {
  override readonly name = 'PolicyObjectError';
  constructor(
    message: string,
    /** What to do about it. */
    readonly fix: string,
  ) {
    super(message);
  }
}

const FIELDS_FIX = `correct the object: kubectl explain ${POLICY_KIND.toLowerCase()}.spec lists the fields and their types`;

const isStringList = (v: unknown) => Array.isArray(v) && v.every((e) => typeof e === 'string' && e.length > 0);
const isSize = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const FIELD_CHECKS: Record<keyof InstallationPolicy, [(v: unknown) => boolean, string]> = {
  allowedClusters: [isStringList, 'a list of non-empty strings'],
  allowedRoles: [isStringList, 'a list of non-empty strings'],
  allowedInstanceProfiles: [isStringList, 'a list of non-empty strings'],
  allowedManagedPolicies: [isStringList, 'a list of non-empty strings'],
  maxGroupSize: [isSize, 'a non-negative integer'],
  maxGroupSizeByNamespace: [(v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isSize), 'a map of namespace to non-negative integer'],
  allowedInstanceTypes: [isStringList, 'a list of non-empty strings'],
  fargateSelectorsMayNameOtherNamespaces: [(v) => typeof v === 'boolean', 'true or false'],
};

/**
 * The policy an InstanceManagerPolicy document sets (as `kubectl get -o yaml` prints it), defaults filled in. A
 * field of the wrong type or one the CRD does not know is an error, not something to guess about.
 */
export function policyFromObject(doc: unknown): InstallationPolicy {
  const object = (doc ?? {}) as { kind?: unknown; metadata?: { name?: unknown }; spec?: unknown };
  if (object.kind !== POLICY_KIND || object.metadata?.name !== POLICY_NAME) {
    throw new PolicyObjectError(
      `expected the ${POLICY_REF} object, got kind ${String(object.kind)} named ${String(object.metadata?.name)}`,
      `give it the object as kubectl prints it: kubectl get ${POLICY_KIND.toLowerCase()} ${POLICY_NAME} -o yaml`,
    );
  }
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  if (typeof spec !== 'object' || Array.isArray(spec)) throw new PolicyObjectError(`${POLICY_REF}: spec must be an object`, FIELDS_FIX);
  const problems = Object.entries(spec).flatMap(([field, value]) => {
    const check = FIELD_CHECKS[field as keyof InstallationPolicy];
    if (!check) return [`spec.${field} is not a policy field`];
    return value === null || value === undefined || check[0](value) ? [] : [`spec.${field} must be ${check[1]}`];
  });
  if (problems.length) throw new PolicyObjectError(`${POLICY_REF}: ${problems.join('; ')}`, FIELDS_FIX);
  return withDefaults(spec as Partial<InstallationPolicy>);
}
