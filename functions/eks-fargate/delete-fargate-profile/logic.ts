import type { ProfileDecision } from '../plan.js';
import { profileManager } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';
import type { StepContext } from '../../kit/step.js';

/** Starts deleting one profile of the group (a replaced one, or every one on delete). */
export const deleteFargateProfileStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }, { log }: StepContext) => {
    const progress = await profileManager(eks(), input.group.ref).delete(input.plan);
    log.info('fargate profile delete sent', { ...progress });
    return progress;
  };
