// The ValidatingAdmissionPolicy and its binding that enforce the installation policy in the API server, generated
// from the rules in ./rules.ts with the policy's values written into it: infra/k8s/policy/admission.yaml carries the
// defaults, `imctl policy render` renders it for the cluster's InstanceManagerPolicy "default".
//
// The values are inlined rather than read as params (paramKind/paramRef) because kube-apiserver resolves a paramKind
// through API discovery that it caches for 30 s: after a restart that cached discovery before the policy's CRD was
// served, the policy cannot be configured and, failing closed, refuses every InstanceGroup write for up to 30 s after
// /readyz (kubernetes/kubernetes#124237, open in 1.36). A policy without params depends on nothing that can lag.
import { stringify } from 'yaml';
import { API_GROUP, PLURAL } from '../schema/openapi.js';
import { DEFAULT_POLICY, POLICY_PLURAL, POLICY_REF, PolicyObjectError, type InstallationPolicy } from './policy.js';
import { ADMISSION_VARIABLES, POLICY_RULES } from './rules.js';

export const ADMISSION_POLICY_NAME = 'instance-manager-installation-policy';
/** Warns whoever writes InstanceManagerPolicy "default" when it differs from what admission enforces. */
export const POLICY_SYNC_CHECK_NAME = 'instance-manager-installation-policy-rendered';

/** The command that renders the admission policy from the cluster's policy object, as the docs and warnings give it. */
export const RENDER_COMMAND =
  'kubectl get instancemanagerpolicy default -o yaml | imctl policy render | kubectl apply -f -';

const LABELS = { 'app.kubernetes.io/part-of': 'instance-manager' };
/** Code points the API server's CEL parser takes in one expression (cel-go's default, which kube-apiserver keeps). */
const CEL_EXPRESSION_LIMIT = 100_000;
const POLICY_FIELDS = Object.keys(DEFAULT_POLICY) as (keyof InstallationPolicy)[];

/** A JSON value as a CEL literal. JSON's string escapes are all CEL escapes too. */
export function celLiteral(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer a CEL int can hold: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(celLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${celLiteral(v)}`).join(', ')}}`;
  }
  throw new TypeError(`no CEL literal for ${String(value)}`);
}

/**
 * `variables.p`, the values the rules read: every field, in the order of the CRD. The API server's CEL wants the values
 * of a map literal to share a type, so each is a dyn().
 */
function valuesVariable(policy: InstallationPolicy) {
  const expression = `{${POLICY_FIELDS.map((field) => `${JSON.stringify(field)}: dyn(${celLiteral(policy[field])})`).join(', ')}}`;
  // The API server would refuse the policy (cel-go's parser limit); say why here, before anything is applied.
  const length = [...expression].length;
  if (length > CEL_EXPRESSION_LIMIT) {
    throw new PolicyObjectError(
      `${POLICY_REF}: its values take ${length} characters of CEL, above the API server's ${CEL_EXPRESSION_LIMIT} per expression`,
      'shorten the lists, e.g. with patterns ending in "*"',
    );
  }
  return { name: 'p', expression };
}

export function admissionPolicy(policy: InstallationPolicy = DEFAULT_POLICY) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: ADMISSION_POLICY_NAME, labels: LABELS },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [{ apiGroups: [API_GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [PLURAL] }],
      },
      // Only a spec that changes is judged: finalizer and metadata updates of a group written under an older, wider
      // policy still go through (so it can be deleted); the workflows' pre-flight refuses to act on such a spec.
      matchConditions: [{ name: 'spec-is-new-or-changed', expression: "request.operation == 'CREATE' || object.spec != oldObject.spec" }],
      variables: [valuesVariable(policy), ...ADMISSION_VARIABLES],
      validations: POLICY_RULES.map((rule) => ({
        expression: rule.expression,
        messageExpression: rule.messageExpression,
        message: rule.message,
        reason: 'Forbidden',
      })),
    },
  };
}

const binding = (policyName: string, action: 'Deny' | 'Warn') => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name: policyName, labels: LABELS },
  spec: { policyName, validationActions: [action] },
});

export const admissionPolicyBinding = () => binding(ADMISSION_POLICY_NAME, 'Deny');

/**
 * Editing the policy object changes the pre-flight at once, admission only once the policy is rendered again: this
 * warns (never refuses) whoever writes an object that differs from the values admission enforces. Until rendered, a
 * spec must pass both, so the difference never widens what a group may do.
 */
export function policySyncCheck(policy: InstallationPolicy = DEFAULT_POLICY) {
  const fields = celLiteral(POLICY_FIELDS);
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: POLICY_SYNC_CHECK_NAME, labels: LABELS },
    spec: {
      // A reminder, not a safeguard: an error in it must not stop an administrator from changing the policy.
      failurePolicy: 'Ignore',
      matchConstraints: {
        resourceRules: [{ apiGroups: [API_GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [POLICY_PLURAL] }],
      },
      variables: [
        valuesVariable(policy),
        { name: 'differ', expression: `${fields}.filter(f, !(f in object.spec) || object.spec[f] != variables.p[f])` },
      ],
      validations: [
        {
          expression: 'size(variables.differ) == 0',
          messageExpression:
            `'InstanceGroups are still admitted by the values ${ADMISSION_POLICY_NAME} was rendered with, which differ in ' + ` +
            `variables.differ.join(', ') + '; the workflows follow ${POLICY_REF} at once. Render it again: ${RENDER_COMMAND}'`,
          message: `${POLICY_REF} differs from the values ${ADMISSION_POLICY_NAME} was rendered with; render it again: ${RENDER_COMMAND}`,
        },
      ],
    },
  };
}

export const policySyncCheckBinding = () => binding(POLICY_SYNC_CHECK_NAME, 'Warn');

/** The admission policy, its binding and the sync check, rendered for these values, as one multi-document YAML. */
export function admissionManifest(policy: InstallationPolicy = DEFAULT_POLICY): string {
  return [admissionPolicy(policy), admissionPolicyBinding(), policySyncCheck(policy), policySyncCheckBinding()]
    .map((doc) => stringify(doc, { lineWidth: 0 }))
    .join('---\n');
}
