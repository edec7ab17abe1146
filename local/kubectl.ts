import { spawnSync } from 'node:child_process';

/** Runs the real kubectl against a kubeconfig; throws with its stderr on failure. */
export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

export const INSTANCEGROUP_CRD = 'instancegroups.instancemgr.keikoproj.io';

/**
 * Waits until a CRD is Established. `kubectl wait --for=condition=Established` fails at once, instead of waiting,
 * when it reads the CRD before the API server has written any condition (kubectl 1.32 here), so poll instead.
 */
export async function waitForCrd(kubeconfig: string, name = INSTANCEGROUP_CRD, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // JSON rather than a jsonpath filter: the filter fails outright while status.conditions is still null.
    const crd = JSON.parse(kubectl(kubeconfig, ['get', 'crd', name, '-o', 'json'])) as { status?: { conditions?: { type: string; status: string }[] | null } };
    if ((crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
