import { spawnSync } from 'node:child_process';

/** Runs the real kubectl against a kubeconfig; throws with its stderr on failure. */
export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}
