import { ensureNodeRole } from '../node-role.js';
import type { EksManagedState } from '../state.js';
import { iam } from '../../kit/clients.js';
import type { StepContext } from '../../kit/step.js';
import { stampOf } from '../../shared/stamp.js';

/** Uses the spec's node role, or creates the group's own (EKS worker, CNI and ECR read-only policies). */
export const createNodeRoleIfNeededStep = async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'>, { log }: StepContext) => {
  const role = await ensureNodeRole(iam(), input.group.ref, input.group.spec, undefined, stampOf(input.change));
  log.info('node role', { ...role });
  return role;
};
