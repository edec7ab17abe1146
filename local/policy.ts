// Installs the installation policy (its CRD, the "default" object and the ValidatingAdmissionPolicy rendered with its
// values, as infra/k8s/policy and `imctl policy render` do) into a cluster, and waits until the API server
// enforces it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { stringify } from 'yaml';
import { MAX_GROUP_SIZE } from '../core/schema/openapi.js';
import { admissionManifest, defaultPolicyObject, withDefaults, type InstallationPolicy } from '../core/policy/index.js';
import { kubectl, waitForCrd } from './kubectl.js';
import { REPO_ROOT } from '../core/workflows/bindings.js';

export const POLICY_CRD = 'instancemanagerpolicies.instancemgr.keikoproj.io';

/**
 * What the local control plane allows unless told otherwise: wide enough for the reference samples and the tests
 * that exercise references which do not exist (any cluster, role and instance profile; Fargate selectors in other
 * namespaces), with the shipped defaults for managed policies, sizes and instance types. Pass
 * `policy: {}` to startControlPlane for the installation defaults.
 */
export const LOCAL_POLICY: Partial<InstallationPolicy> = {
  allowedClusters: ['*'],
  allowedRoles: ['*'],
  allowedInstanceProfiles: ['*'],
  fargateSelectorsMayNameOtherNamespaces: true,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sets the installation policy as an administrator does: replaces the "default" object (every field written out, so
 * nothing stays from an earlier one), then the admission policy rendered with its values.
 */
export function applyPolicy(kubeconfig: string, policy: Partial<InstallationPolicy>): void {
  const values = withDefaults(policy);
  kubectl(kubeconfig, ['apply', '-f', '-'], stringify(defaultPolicyObject(values)));
  kubectl(kubeconfig, ['apply', '-f', '-'], admissionManifest(values));
}

/**
 * The admission plugin picks up a new or changed policy through its informers: probe with server-side dry runs in
 * namespace default until a group at the size limit is admitted and one just above it is refused.
 */
export async function waitForAdmissionPolicy(kubeconfig: string, policy: Partial<InstallationPolicy>, timeoutMs = 30_000): Promise<void> {
  const values = withDefaults(policy);
  const limit = values.maxGroupSizeByNamespace.default ?? values.maxGroupSize;
  const probe = (maxSize: number) => {
    const group = stringify({
      apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
      kind: 'InstanceGroup',
      metadata: { name: 'admission-policy-probe', namespace: 'default' },
      spec: { provisioner: 'eks-managed', 'eks-managed': { minSize: 0, maxSize } },
    });
    return spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'create', '--dry-run=server', '-f', '-'], { input: group, encoding: 'utf8' });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Beyond the schema's own limit the schema refuses before the policy is asked; at 0 no size is admitted.
    const above = limit >= MAX_GROUP_SIZE ? undefined : probe(limit + 1);
    const at = limit === 0 || limit > MAX_GROUP_SIZE ? undefined : probe(limit);
    if ((!above || (above.status !== 0 && /maxGroupSize/.test(above.stderr))) && (!at || at.status === 0)) return;
    if (Date.now() > deadline) {
      throw new Error(`the installation policy was not enforced within ${timeoutMs / 1000} s: ${[above?.stderr, at?.stderr].filter(Boolean).join('; ')}`);
    }
    await sleep(200);
  }
}

export async function installPolicy(kubeconfig: string, policy: Partial<InstallationPolicy>): Promise<void> {
  kubectl(kubeconfig, ['apply', '-f', path.join(REPO_ROOT, 'infra/k8s/policy/crd.yaml')]);
  await waitForCrd(kubeconfig, POLICY_CRD);
  applyPolicy(kubeconfig, policy);
  await waitForAdmissionPolicy(kubeconfig, policy);
}
