// Which state machine runs which workflow, as the start-workflow Lambda, the packaging and the CLI read it:
//   STATE_MACHINE_ARNS='{"eks-cf/apply":"arn:aws:states:...:stateMachine:...","eks-cf/delete":"arn:..."}'
//   STATE_MACHINE_ARN_EKS_CF_APPLY=arn:aws:states:...   (one variable per machine; wins over the JSON map)
// Keys are "<provisioner>/<operation>"; a per-machine variable's name is the provisioner upper-cased with "-"
// as "_", then the operation. Pure: bundled into the start-workflow Lambda.
import type { Operation } from '../events/index.js';

export { workflowKey } from './names.js';

/** "<provisioner>/<operation>" → state machine ARN. */
export type StateMachineArns = Record<string, string>;

/** The environment variable that carries one workflow's state machine ARN. */
export const stateMachineEnvName = (provisioner: string, operation: Operation): string =>
  `STATE_MACHINE_ARN_${provisioner.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${operation.toUpperCase()}`;

const KEY = /^[a-z0-9-]+\/(apply|delete)$/;
const ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/;

export function stateMachineArnsFromEnv(env: NodeJS.ProcessEnv = process.env): StateMachineArns {
  const out: StateMachineArns = {};
  if (env.STATE_MACHINE_ARNS?.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.STATE_MACHINE_ARNS);
    } catch (error) {
      throw new Error(`STATE_MACHINE_ARNS is not JSON: ${(error as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('STATE_MACHINE_ARNS must be a JSON object');
    for (const [key, arn] of Object.entries(parsed)) {
      if (!KEY.test(key)) throw new Error(`STATE_MACHINE_ARNS: key "${key}" is not "<provisioner>/<apply|delete>"`);
      if (typeof arn !== 'string' || !ARN.test(arn)) throw new Error(`STATE_MACHINE_ARNS: "${key}" is not a state machine ARN: ${JSON.stringify(arn)}`);
      out[key] = arn;
    }
  }
  for (const [name, arn] of Object.entries(env)) {
    const m = /^STATE_MACHINE_ARN_([A-Z0-9_]+)_(APPLY|DELETE)$/.exec(name);
    if (!m || !arn) continue;
    if (!ARN.test(arn)) throw new Error(`${name} is not a state machine ARN: ${JSON.stringify(arn)}`);
    out[`${m[1]!.toLowerCase().replaceAll('_', '-')}/${m[2]!.toLowerCase()}`] = arn;
  }
  return out;
}
