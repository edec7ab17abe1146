import type { ProfileDecision } from '../plan.js';
import { tagProfile } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';
import { assertStillWanted } from '../../shared/still-wanted.js';
import { stampOf } from '../../shared/stamp.js';

/**
 * Tags are the one thing AWS changes on a profile in place. Re-checked on every attempt (an older generation, or a
 * group being deleted, changes nothing); a profile a newer generation wrote is not retagged.
 */
export const updateTagsStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'> & { plan: ProfileDecision }) => {
  await assertStillWanted(input, access());
  return tagProfile(eks(), input.group.ref.clusterName, input.plan, stampOf(input.change));
};
