import { namedCluster } from '../../core/events/index.js';
import { EKSClient } from '@aws-sdk/client-eks';
import { awsClientConfig } from '../../core/aws/config.js';
import { nodeAccessFromEnv } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { mappableRoleArn } from '../shared/aws-auth.js';
import { revokeNodeRole } from '../shared/node-access.js';
import { workflowStep } from '../shared/step.js';

const access = lazy(() => nodeAccessFromEnv());
const eks = lazy(() => new EKSClient(awsClientConfig()));

/**
 * Removes the group's claim on its node role in the cluster the spec names (access entry or aws-auth). The entry
 * itself goes only when no other InstanceGroup (any namespace) reports that role in its status and the entry is one
 * instance-manager made.
 */
export const handler = workflowStep('Revoke Node Role', async (input: Pick<EksCfState, 'change' | 'execution' | 'group' | 'stack'>, { log }) => {
  const roleArn = input.stack.roleArn;
  if (!roleArn) return { changed: false, note: 'no node role recorded for this group' };
  const self = `${input.change.group.namespace}/${input.change.group.name}`;
  const { items } = await new InstanceGroupApi(await access().connect(input.change.cluster)).list();
  const target = mappableRoleArn(roleArn);
  const stillUsedBy = items
    .filter((ig) => ig.metadata.uid !== input.change.group.uid)
    .filter((ig) => ig.status?.nodesInstanceRoleArn && mappableRoleArn(ig.status.nodesInstanceRoleArn) === target)
    .map((ig) => `${ig.metadata.namespace}/${ig.metadata.name}`);
  const result = await revokeNodeRole({ eks: eks(), kube: (name) => access().connect(namedCluster(input.change.cluster, name)) }, input.group.ref.clusterName, roleArn, self, stillUsedBy);
  log.info('node role revoked', { ...result });
  return result;
});
