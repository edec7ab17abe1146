import type { ProfileDecision } from '../plan.js';
import { tagProfile } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';

/** Tags are the one thing AWS changes on a profile in place. */
export const updateTagsStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }) =>
    tagProfile(eks(), input.group.ref.clusterName, input.plan);
