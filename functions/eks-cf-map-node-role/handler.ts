import { nodeAccessFromEnv } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { addNodeRole, updateAwsAuth } from '../shared/aws-auth.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';

const access = lazy(() => nodeAccessFromEnv());

/** Lets the nodes join: maps the node role in kube-system/aws-auth, next to every other entry. */
export const handler = workflowStep('Add Node Role To aws-auth', async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }) => {
  const roleArn = input.stack.roleArn ?? input.stack.observed?.nodesInstanceRoleArn;
  if (!roleArn) return { changed: false, note: 'the stack reports no node role' };
  const kc = await access().connect(input.change.cluster.name);
  // A delete may have started since the stack settled: then the delete workflow owns the mapping.
  const now = await new InstanceGroupApi(kc).get(input.change.group);
  if (!now || now.metadata.uid !== input.change.group.uid || now.metadata.deletionTimestamp) {
    return { changed: false, note: 'the group is being deleted; not mapping its role' };
  }
  const key = `${input.change.group.namespace}/${input.change.group.name}`;
  const result = await updateAwsAuth(kc, (data) => addNodeRole(data, roleArn, key));
  log.info('aws-auth', { changed: result.changed, note: result.note });
  return { changed: result.changed, note: result.note };
});
