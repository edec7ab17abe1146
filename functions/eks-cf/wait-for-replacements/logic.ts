import { handBack, storeNodeWait } from '../node-events.js';
import type { BatchInput } from '../rotation/context.js';
import { checkReplacements } from '../rotation/steps.js';
import { sfn } from '../../kit/clients.js';
import { clusterAccess } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

export interface AwaitReplacementsInput extends BatchInput {
  replacements?: { polls?: number; startedAt?: string };
  taskToken: string;
}

/**
 * The rotation's event-driven wait for Ready replacements (Task `.waitForTaskToken`): leaves the token where
 * eks-cf-node-event finds it (the same annotation as the node-join wait: one execution waits for one of them at a
 * time), then looks once with "Check Replacement Nodes"' own logic, so its verdict is exactly the check's and a
 * hand-back never loops without a pause.
 */
export async function waitForReplacementsStep(input: AwaitReplacementsInput, context: StepContext) {
  await storeNodeWait({ cluster: input.change.cluster, ref: input.change.group, wait: { taskToken: input.taskToken, executionArn: input.execution.arn } }, clusterAccess());
  const look = await checkReplacements(input, context);
  if (!look.ready) return { waiting: true, message: look.message };
  await handBack(sfn(), input.taskToken, { message: look.message, seenBy: 'await' });
  return { waiting: false, message: look.message };
}
