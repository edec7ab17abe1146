// Installs the installation policy (its CRD, the "default" object and the ValidatingAdmissionPolicy from
// infra/k8s/policy) into a cluster, and waits until the API server enforces it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { stringify } from 'yaml';
import { MAX_GROUP_SIZE } from '../core/schema/openapi.js';
import { defaultPolicyObject, withDefaults, type InstallationPolicy } from '../core/policy/index.js';
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

/** Replaces the "default" policy object (every field written out, so nothing stays from an earlier one). */
export function applyPolicy(kubeconfig: string, policy: Partial<InstallationPolicy>): void {
  kubectl(kubeconfig, ['apply', '-f', '-'], stringify(defaultPolicyObject(withDefaults(policy))));
}

/**
 * The admission plugin picks up new policies, bindings and params through informers: probe with a server-side dry
 * run of a group just above the size limit until it is refused.
 */
export async function waitForAdmissionPolicy(kubeconfig: string, policy: Partial<InstallationPolicy>, timeoutMs = 30_000): Promise<void> {
  const limit = withDefaults(policy).maxGroupSize;
  if (limit >= MAX_GROUP_SIZE) return; // no size can probe it: the schema itself refuses anything larger
  const probe = stringify({
    apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
    kind: 'InstanceGroup',
    metadata: { name: 'admission-policy-probe', namespace: 'default' },
    spec: { provisioner: 'eks-managed', 'eks-managed': { minSize: 0, maxSize: limit + 1 } },
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'create', '--dry-run=server', '-f', '-'], { input: probe, encoding: 'utf8' });
    if (result.status !== 0 && /maxGroupSize/.test(result.stderr)) return;
    if (Date.now() > deadline) throw new Error(`the installation policy was not enforced within ${timeoutMs / 1000} s: ${result.stderr || result.stdout}`);
    await sleep(200);
  }
}

export async function installPolicy(kubeconfig: string, policy: Partial<InstallationPolicy>): Promise<void> {
  kubectl(kubeconfig, ['apply', '-f', path.join(REPO_ROOT, 'infra/k8s/policy/crd.yaml')]);
  await waitForCrd(kubeconfig, POLICY_CRD);
  applyPolicy(kubeconfig, policy);
  kubectl(kubeconfig, ['apply', '-f', path.join(REPO_ROOT, 'infra/k8s/policy/admission.yaml')]);
  await waitForAdmissionPolicy(kubeconfig, policy);
}
