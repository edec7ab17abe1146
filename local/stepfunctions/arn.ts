// ARNs and names as Step Functions shapes them.
import { sfnError } from './errors.js';

export interface Account {
  region: string;
  account: string;
}

export const stateMachineArn = (a: Account, name: string) => `arn:aws:states:${a.region}:${a.account}:stateMachine:${name}`;

export const executionArn = (a: Account, stateMachineName: string, name: string) =>
  `arn:aws:states:${a.region}:${a.account}:execution:${stateMachineName}:${name}`;

export const lambdaFunctionArn = (a: Account, functionName: string) =>
  `arn:aws:lambda:${a.region}:${a.account}:function:${functionName}`;

/** Parses arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]. */
export function parseLambdaArn(arn: string): { region: string; account: string; functionName: string } | undefined {
  const m = /^arn:aws[\w-]*:lambda:([\w-]+):(\d{12}):function:([\w-]+)(?::[\w$-]+)?$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, functionName: m[3]! } : undefined;
}

export function parseExecutionArn(arn: string): { stateMachineName: string; name: string } {
  const m = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:([^:]+):([^:]+)$/.exec(arn);
  if (!m) throw sfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return { stateMachineName: m[1]!, name: m[2]! };
}

export function parseStateMachineArn(arn: string): { name: string } {
  const m = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:([^:]+)$/.exec(arn);
  if (!m) throw sfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return { name: m[1]! };
}

// Names: 1-80 characters; no whitespace, brackets, wildcards, special or control characters.
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export function checkName(name: string, what: 'execution' | 'state machine'): void {
  if (!name || name.length > 80 || FORBIDDEN.test(name)) {
    throw sfnError('InvalidName', `Invalid Name: '${name}' is not a valid ${what} name (1-80 characters, no whitespace or special characters)`);
  }
}
