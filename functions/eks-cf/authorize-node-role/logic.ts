import { namedCluster } from '../../../core/events/index.js';
import { InstanceGroupApi } from '../../../core/kube/instancegroups.js';
import type { EksCfState } from '../state.js';
import { authorizeNodeRole } from '../../shared/node-access.js';
import { eks } from '../../kit/clients.js';
import { nodeAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

/**
 * Lets the nodes join the cluster the spec names (not the relay's): an EC2_LINUX access entry where its
 * authentication mode includes API, the kube-system/aws-auth mapping otherwise. Other entries are never changed.
 */
export const authorizeNodeRoleStep = async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }: StepContext) => {
  const roleArn = input.stack.roleArn ?? input.stack.observed?.nodesInstanceRoleArn;
  if (!roleArn) return { changed: false, note: 'the stack reports no node role' };
  // The InstanceGroup lives in the relay's cluster; a delete may have started since the stack settled, and then the
  // delete workflow owns the mapping.
  const now = await new InstanceGroupApi(await access().connect(input.change.cluster)).get(input.change.group);
  if (!now || now.metadata.uid !== input.change.group.uid || now.metadata.deletionTimestamp) {
    return { changed: false, note: 'the group is being deleted; not mapping its role' };
  }
  const key = `${input.change.group.namespace}/${input.change.group.name}`;
  const result = await authorizeNodeRole({ eks: eks(), kube: (name) => access().connect(namedCluster(input.change.cluster, name)) }, input.group.ref.clusterName, roleArn, key);
  log.info('node role authorised', { ...result });
  return result;
};
