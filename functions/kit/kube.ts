// The Kubernetes access every function uses, built once per Lambda container on first use (core/kube/access.ts).
import { clusterAccessFromEnv, nodeAccessFromEnv } from '../../core/kube/access.js';
import { once } from './clients.js';

/** The relay's cluster and the clusters InstanceGroups name. */
export const clusterAccess = /* @__PURE__ */ once(() => clusterAccessFromEnv());
/** The same, as the identity allowed to edit aws-auth (Authorize/Revoke Node Role). */
export const nodeAccess = /* @__PURE__ */ once(() => nodeAccessFromEnv());
