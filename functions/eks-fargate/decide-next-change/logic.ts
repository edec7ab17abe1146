import { decideProfile, type DecideInput } from '../decide.js';
import { eks } from '../../kit/clients.js';
import { clusterAccess } from '../../kit/kube.js';
import type { StepContext } from '../../kit/step.js';

/** One pass of the loop: re-reads the group, reads the cluster's profiles, and picks the next change (or none). */
export const decideNextChangeStep = async (input: DecideInput, { log }: StepContext) => {
  const plan = await decideProfile(input, { eks: eks(), access: clusterAccess() });
  log.info('decided', { action: plan.action, profileName: plan.profileName, summary: plan.summary, pass: plan.pass });
  return plan;
};
