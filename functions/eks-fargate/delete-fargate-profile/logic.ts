import type { ProfileDecision } from '../plan.js';
import { deleteProfile } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';
import type { StepContext } from '../../kit/step.js';
import { writeGuardOf } from '../../shared/stamp.js';

/**
 * Starts deleting one profile of the group (a replaced one, or every one on delete). Read right before: an apply does
 * not delete a profile a newer generation wrote, and a delete leaves alone one another owner stamped.
 */
export const deleteFargateProfileStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }, { log }: StepContext) => {
    const progress = await deleteProfile(eks(), input.group.ref.clusterName, input.plan.profileName ?? '', writeGuardOf(input.change));
    log.info('fargate profile delete sent', { ...progress });
    return progress;
  };
