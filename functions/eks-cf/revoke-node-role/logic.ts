import { namedCluster } from '../../../core/events/index.js';
import { InstanceGroupApi } from '../../../core/kube/instancegroups.js';
import type { EksCfState } from '../state.js';
import { mappableRoleArn } from '../../shared/aws-auth.js';
import { revokeNodeRole } from '../../shared/node-access.js';
import { eks } from '../../kit/clients.js';
import { nodeAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

/**
 * Removes the group's claim on its node role in the cluster the spec names (access entry or aws-auth). The entry
 * itself goes only when no other InstanceGroup (any namespace) reports that role in its status and the entry is one
 * instance-manager made. Without the role ARN (a retried delete that found the stack gone) the group's aws-auth claims
 * are found in its annotation.
 */
export const revokeNodeRoleStep = async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }: StepContext) => {
  if (input.stack.status === 'OWNED_BY_ANOTHER_GROUP') {
    return { changed: false, note: 'the stack belongs to a group recreated under the same name; its mapping is left alone' };
  }
  const self = `${input.change.group.namespace}/${input.change.group.name}`;
  const { items } = await new InstanceGroupApi(await access().connect(input.change.cluster)).list();
  const others = items.filter((ig) => ig.metadata.uid !== input.change.group.uid);
  const stillUsedBy = (arn: string) =>
    others
      .filter((ig) => ig.status?.nodesInstanceRoleArn && mappableRoleArn(ig.status.nodesInstanceRoleArn) === arn)
      .map((ig) => `${ig.metadata.namespace}/${ig.metadata.name}`);
  const kube = (name: string) => access().connect(namedCluster(input.change.cluster, name));
  const result = await revokeNodeRole({ eks: eks(), kube }, input.group.ref.clusterName, input.stack.roleArn, self, stillUsedBy);
  log.info('node role revoked', { ...result });
  return result;
};
