import { spawnSync } from 'node:child_process';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl, as a user would, against the given kubeconfig. */
export function kubectl(kubeconfig: string, args: string[], stdin?: string): KubectlResult {
  const result = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    input: stdin,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export function kubectlOk(kubeconfig: string, args: string[], stdin?: string): string {
  const result = kubectl(kubeconfig, args, stdin);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}
