// One look of eks-cf's stack wait loop, on its own so "Check Stack Progress" bundles only what a look needs:
// stack-manager.ts's plans reach the template renderer (yaml, the boot scripts) and the node policies, which a
// DescribeStacks call does not.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { TerminalError } from '../../core/errors/index.js';
import type { Target } from '../shared/resource-manager.js';
import { applyProgress, deleteProgress, type StackProgress } from './stack.js';

export interface StackOf {
  stackName: string;
  /** The spec's bounds, reported as observed once the stack settles. */
  size: { min: number; max: number };
  /** The deleting group's uid: a stack stamped by another owner is left alone. */
  ownerUid?: string;
}

/** The manager's progress: one look of the wait loop; past maxPolls without settling, the workflow fails. */
export async function stackProgress(cf: CloudFormationClient, of: StackOf, target: Target, polls: number, maxPolls: number): Promise<StackProgress> {
  const name = of.stackName;
  const progress = target.waitFor === 'gone' ? await deleteProgress(cf, name, polls) : await applyProgress(cf, name, of.size, polls);
  if (!progress.settled && polls >= maxPolls) {
    throw new TerminalError(
      `Stack ${name} is still ${progress.status} after ${polls} checks; see its events in the CloudFormation console, then replay the execution`,
    );
  }
  return progress;
}
