import { IAMClient } from '@aws-sdk/client-iam';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { deleteNodeRole } from '../eks-managed/node-role.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { workflowStep } from '../shared/step.js';

const iam = lazy(() => awsClient(new IAMClient(awsClientConfig())));

export interface DeleteNodeRoleInput extends Pick<EksManagedState, 'change' | 'execution' | 'group'> {
  /** apply: only when the spec names its own role (the created one is then unused); delete: always. */
  purpose: 'apply' | 'delete';
}

/** Deletes the node role instance-manager created for the group, when nothing of the group uses it any more. */
export const handler = workflowStep('Delete Node Role', async (input: DeleteNodeRoleInput, { log }) => {
  if (input.purpose === 'apply' && !input.group.spec.nodeRoleArn) {
    return { deleted: false, note: 'the node group uses the role instance-manager created; kept' };
  }
  const result = await deleteNodeRole(iam(), input.group.ref);
  log.info('node role', { ...result });
  return result;
});
