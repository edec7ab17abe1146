import type { ProfileDecision } from '../plan.js';
import { profileProgress, type ProfileProgress } from '../profiles.js';
import type { EksFargateState } from '../state.js';
import { eks } from '../../kit/clients.js';
import { nextPoll } from '../../kit/step.js';

export interface CheckProfileInput extends Pick<EksFargateState, 'change' | 'execution' | 'group'> {
  plan: Pick<ProfileDecision, 'profileName' | 'waitFor'>;
  progress?: Partial<ProfileProgress>;
  maxPolls: number;
}

/** One pass of the wait loop: is EKS done with the profile? Fails with EKS's health issues if it failed. */
export const checkFargateProfileProgressStep = async (input: CheckProfileInput) => {
  const name = input.plan.profileName ?? '';
  const polls = nextPoll(input.progress?.profileName, input.progress?.polls, name);
  return profileProgress(eks(), input.group.ref, { name, waitFor: input.plan.waitFor ?? 'active' }, polls, input.maxPolls);
};
