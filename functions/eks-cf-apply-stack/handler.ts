import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClientConfig, awsRegion } from '../../core/aws/config.js';
import { TerminalError } from '../../core/errors/index.js';
import { applyProgress, applyStack } from '../eks-cf/stack.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { renderStack } from '../eks-cf/template.js';
import { workflowStep } from '../shared/step.js';

const cf = lazy(() => new CloudFormationClient(awsClientConfig()));

/** Renders the template (user data for the image's family) and creates the stack, updates it when something changed, or leaves it alone. */
export const handler = workflowStep('Create Or Update Stack', async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'references'>, { log }) => {
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
  });
  const { action } = await applyStack(cf(), rendered);
  const progress = await applyProgress(cf(), rendered.stackName, { min: group.spec.minSize, max: group.spec.maxSize }, 0);
  log.info('stack applied', { action, stackName: rendered.stackName, status: progress.status });
  return { ...progress, action };
});
