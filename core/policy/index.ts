export * from './policy.js';
export { POLICY_RULES, policyProblems, type PolicyContext, type PolicyRule } from './rules.js';
export { readPolicy, POLICY_PATH } from './read.js';
export {
  admissionManifest,
  admissionPolicy,
  admissionPolicyBinding,
  celLiteral,
  policySyncCheck,
  policySyncCheckBinding,
  ADMISSION_POLICY_NAME,
  POLICY_SYNC_CHECK_NAME,
  RENDER_COMMAND,
} from './admission.js';
