import type { ProfileDecision } from '../plan.js';
import { profileManager } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';

/** Tags are the one thing AWS changes on a profile in place. */
export const updateTagsStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }) =>
    profileManager(eks(), input.group.ref).update(input.plan);
