import type { ProfileDecision } from '../plan.js';
import { createProfile } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';
import { assertStillWanted } from '../../shared/still-wanted.js';
import { stampOf } from '../../shared/stamp.js';

/** Sends the CreateFargateProfile request the decision built; a profile of the group already there is adopted. */
export const createFargateProfileStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group' | 'role'> & { plan: ProfileDecision }, { log }: StepContext) => {
    // Re-checked on every attempt: an older generation, or a group being deleted, changes nothing.
    await assertStillWanted(input, access());
    const progress = await createProfile(eks(), input.group.ref, input.plan, { roleJustCreated: input.role?.created ?? false, stamp: stampOf(input.change) });
    log.info('fargate profile create sent', { ...progress });
    return progress;
  };
