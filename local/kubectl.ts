import { spawnSync } from 'node:child_process';

/** Runs the real kubectl against a kubeconfig; throws with its stderr on failure. */
export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

export const INSTANCEGROUP_CRD = 'instancegroups.instancemgr.keikoproj.io';

/**
 * Waits until a CRD is Established. `kubectl wait --for=condition=Established`, and a jsonpath filter on the
 * conditions, both fail at once, instead of waiting, when they read the CRD before the API server has written any
 * condition (kubectl 1.32 here; likelier on a busy machine), so poll the whole object instead.
 */
export async function waitForCrd(kubeconfig: string, name = INSTANCEGROUP_CRD, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = JSON.parse(kubectl(kubeconfig, ['get', 'crd', name, '-o', 'json'])) as {
      status?: { conditions?: { type: string; status: string }[] };
    };
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
