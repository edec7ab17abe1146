import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { mappableRoleArn, updateAwsAuth } from '../shared/aws-auth.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { workflowStep } from '../shared/step.js';
import { unmapGroup } from '../shared/unmap.js';

const access = lazy(() => clusterAccessFromEnv());

/**
 * Removes the group's claim on its node role in aws-auth. The entry itself goes only when no other InstanceGroup
 * (any namespace) reports that role in its status and the entry is one instance-manager added. Without the role ARN
 * (a retried delete that found the stack gone) the group's claims are found in the aws-auth annotation.
 */
export const handler = workflowStep('Remove Node Role From aws-auth', async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }) => {
  if (input.stack.status === 'OWNED_BY_ANOTHER_GROUP') {
    return { changed: false, note: 'the stack belongs to a group recreated under the same name; its mapping is left alone' };
  }
  const kc = await access().connect(input.change.cluster.name);
  const self = `${input.change.group.namespace}/${input.change.group.name}`;
  const { items } = await new InstanceGroupApi(kc).list();
  const others = items.filter((ig) => ig.metadata.uid !== input.change.group.uid);
  const stillUsedBy = (arn: string) =>
    others
      .filter((ig) => ig.status?.nodesInstanceRoleArn && mappableRoleArn(ig.status.nodesInstanceRoleArn) === arn)
      .map((ig) => `${ig.metadata.namespace}/${ig.metadata.name}`);
  const result = await updateAwsAuth(kc, (data) => unmapGroup(data, self, input.stack.roleArn, stillUsedBy));
  log.info('aws-auth', { changed: result.changed, note: result.note });
  return { changed: result.changed, note: result.note };
});
