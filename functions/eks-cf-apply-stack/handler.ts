import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { applyProgress, applyStack } from '../eks-cf/stack.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { renderStack } from '../eks-cf/template.js';
import { workflowStep } from '../shared/step.js';

const cf = lazy(() => awsClient(new CloudFormationClient(awsClientConfig())));

/** Renders the template and creates the stack, updates it when something changed, or leaves it alone. */
export const handler = workflowStep('Create Or Update Stack', async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'references'>, { log }) => {
  const { group, references } = input;
  const rendered = renderStack({ group: group.ref, spec: group.spec, existingRoleArn: references?.existingRoleArn });
  const { action } = await applyStack(cf(), rendered);
  const progress = await applyProgress(cf(), rendered.stackName, { min: group.spec.minSize, max: group.spec.maxSize }, 0);
  log.info('stack applied', { action, stackName: rendered.stackName, status: progress.status });
  return { ...progress, action };
});
