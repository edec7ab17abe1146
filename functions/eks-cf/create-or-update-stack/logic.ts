import { awsRegion } from '../../../core/aws/config.js';
import { TerminalError } from '../../../core/errors/index.js';
import { stuckAfterMs } from '../stack.js';
import { applyStackOf } from '../stack-manager.js';
import type { EksCfState } from '../state.js';
import { renderStack } from '../template.js';
import { cloudformation as cf } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';
import { assertStillWanted } from '../../shared/still-wanted.js';

/**
 * Renders the template (user data for the image's family) and creates the stack, updates it when something changed,
 * or leaves it alone. Every attempt (retries included) first re-reads the group: an older generation, or a group
 * being deleted, changes nothing.
 */
export const createOrUpdateStackStep = async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'references'>, { log }: StepContext) => {
  const { group, references } = input;
  if (!references?.cluster || !references.image) {
    throw new TerminalError('the reference check reported no cluster or image; run the whole workflow again');
  }
  // Rendering is pure: the cluster's endpoint, CA and CIDR and the image come from the reference check.
  const rendered = renderStack({
    group: group.ref,
    spec: group.spec,
    ...(references.existingRoleArn ? { existingRoleArn: references.existingRoleArn } : {}),
    cluster: references.cluster,
    image: references.image,
    region: awsRegion(),
    groupCluster: input.change.cluster,
  });
  await assertStillWanted(input, access());
  const stamp = { uid: input.change.group.uid, generation: input.change.group.generation };
  const of = { stackName: rendered.stackName, size: { min: group.spec.minSize, max: group.spec.maxSize } };
  const progress = await applyStackOf(cf(), of, { rendered, stamp, stuckAfterMs: stuckAfterMs(), now: Date.now() }, input.execution.arn);
  log.info('stack applied', { action: progress.action, stackName: rendered.stackName, status: progress.status });
  return progress;
};
