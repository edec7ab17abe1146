import type { ProfileDecision } from '../plan.js';
import { deleteProfile } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';
import type { StepContext } from '../../kit/step.js';

/** Starts deleting one profile of the group (a replaced one, or every one on delete). */
export const deleteFargateProfileStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }, { log }: StepContext) => {
    const progress = await deleteProfile(eks(), input.group.ref.clusterName, input.plan.profileName ?? '');
    log.info('fargate profile delete sent', { ...progress });
    return progress;
  };
