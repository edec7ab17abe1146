// The ValidatingAdmissionPolicy and its binding that enforce the installation policy in the API server, generated
// into infra/k8s/policy/admission.yaml from the rules in ./rules.ts. The policy object is the params.
import { API_GROUP, PLURAL } from '../schema/openapi.js';
import { POLICY_KIND, POLICY_NAME, POLICY_VERSION } from './policy.js';
import { ADMISSION_VARIABLES, POLICY_RULES } from './rules.js';

export const ADMISSION_POLICY_NAME = 'instance-manager-installation-policy';

export function admissionPolicy() {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: ADMISSION_POLICY_NAME, labels: { 'app.kubernetes.io/part-of': 'instance-manager' } },
    spec: {
      failurePolicy: 'Fail',
      paramKind: { apiVersion: `${API_GROUP}/${POLICY_VERSION}`, kind: POLICY_KIND },
      matchConstraints: {
        resourceRules: [{ apiGroups: [API_GROUP], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [PLURAL] }],
      },
      // Only a spec that changes is judged: finalizer and metadata updates of a group written under an older, wider
      // policy still go through (so it can be deleted); the workflows' pre-flight refuses to act on such a spec.
      matchConditions: [{ name: 'spec-is-new-or-changed', expression: "request.operation == 'CREATE' || object.spec != oldObject.spec" }],
      variables: ADMISSION_VARIABLES,
      validations: POLICY_RULES.map((rule) => ({
        expression: rule.expression,
        messageExpression: rule.messageExpression,
        message: rule.message,
        reason: 'Forbidden',
      })),
    },
  };
}

export function admissionPolicyBinding() {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: ADMISSION_POLICY_NAME, labels: { 'app.kubernetes.io/part-of': 'instance-manager' } },
    spec: {
      policyName: ADMISSION_POLICY_NAME,
      validationActions: ['Deny'],
      // No policy object means no InstanceGroup changes at all: fail closed rather than allow everything.
      paramRef: { name: POLICY_NAME, parameterNotFoundAction: 'Deny' },
    },
  };
}
