import { nodeAccessFromEnv } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { mappableRoleArn, removeNodeRole, updateAwsAuth } from '../shared/aws-auth.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';

const access = lazy(() => nodeAccessFromEnv());

/**
 * Removes the group's claim on its node role in aws-auth. The entry itself goes only when no other InstanceGroup
 * (any namespace) reports that role in its status and the entry is one instance-manager added.
 */
export const handler = workflowStep('Remove Node Role From aws-auth', async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }) => {
  const roleArn = input.stack.roleArn;
  if (!roleArn) return { changed: false, note: 'no node role recorded for this group' };
  const kc = await access().connect(input.change.cluster.name);
  const self = `${input.change.group.namespace}/${input.change.group.name}`;
  const { items } = await new InstanceGroupApi(kc).list();
  const target = mappableRoleArn(roleArn);
  const stillUsedBy = items
    .filter((ig) => ig.metadata.uid !== input.change.group.uid)
    .filter((ig) => ig.status?.nodesInstanceRoleArn && mappableRoleArn(ig.status.nodesInstanceRoleArn) === target)
    .map((ig) => `${ig.metadata.namespace}/${ig.metadata.name}`);
  const result = await updateAwsAuth(kc, (data) => removeNodeRole(data, roleArn, self, stillUsedBy));
  log.info('aws-auth', { changed: result.changed, note: result.note });
  return { changed: result.changed, note: result.note };
});
