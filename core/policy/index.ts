export * from './policy.js';
export { POLICY_RULES, policyProblems, type PolicyContext, type PolicyRule } from './rules.js';
export { readPolicy, POLICY_PATH } from './read.js';
export { admissionPolicy, admissionPolicyBinding, ADMISSION_POLICY_NAME } from './admission.js';
