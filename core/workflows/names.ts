// How one workflow is named wherever it appears: its statemachines/ file, its key in settings, its function folders,
// its ASL placeholders, its stack output. The packaging, the local runtime, the start-workflow Lambda and the CLI
// all derive names here, so a workflow named once is found everywhere. Pure: safe to bundle into a Lambda.
import type { Operation } from '../events/index.js';

export const OPERATIONS: readonly Operation[] = ['apply', 'delete'];

/** "eks-cf" + "apply" → "eks-cf/apply": the key of STATE_MACHINE_ARNS and of every workflow map. */
export const workflowKey = (provisioner: string, operation: Operation): string => `${provisioner}/${operation}`;

/** "eks-cf" + "apply" → "eks-cf-apply": statemachines/<base>.asl.json and the state machine's name after the prefix. */
export const workflowBase = (provisioner: string, operation: Operation): string => `${provisioner}-${operation}`;

/** "eks-cf-apply-stack" → "EksCfApplyStack": serverless function keys, logical ids, ASL placeholder bases. */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** "EksCfApplyStack" → "eks-cf-apply-stack"; "ASGWait" → "asg-wait": a placeholder base's function folder. */
export function kebabCase(pascal: string): string {
  return pascal
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The stack output holding a workflow's state machine ARN: "EksCfApplyStateMachineArn". */
export const stateMachineOutputName = (provisioner: string, operation: Operation): string =>
  `${pascalCase(workflowBase(provisioner, operation))}StateMachineArn`;
