import { profileProgress } from '../profiles.js';
import { progressCheckStep } from '../../shared/progress-check.js';

/** One pass of the wait loop: is EKS done with the profile? Fails with EKS's health issues if it failed. */
export const checkFargateProfileProgressStep = progressCheckStep('profileName', profileProgress);
