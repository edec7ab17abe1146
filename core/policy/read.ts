// Reading the installation policy from the cluster, for the workflows' pre-flight.
import { API_GROUP } from '../schema/openapi.js';
import { httpStatusOf } from '../kube/instancegroups.js';
import type { KubeRest } from '../kube/rest.js';
import { POLICY_NAME, POLICY_PLURAL, POLICY_VERSION, withDefaults, type InstallationPolicy } from './policy.js';

export const POLICY_PATH = `/apis/${API_GROUP}/${POLICY_VERSION}/${POLICY_PLURAL}/${POLICY_NAME}`;

/**
 * The policy in force: the "default" object's spec with defaults filled in. When the object (or its CRD) is missing,
 * the defaults apply, which are the strictest: a missing policy never widens what groups may do.
 */
export async function readPolicy(kube: KubeRest): Promise<InstallationPolicy> {
  try {
    const object = await kube.get<{ spec?: Partial<InstallationPolicy> }>(POLICY_PATH);
    return withDefaults(object.spec);
  } catch (error) {
    if (httpStatusOf(error) === 404) return withDefaults(undefined);
    throw error;
  }
}
