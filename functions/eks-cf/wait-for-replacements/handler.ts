import { step } from '../../kit/step.js';
import { waitForReplacementsStep } from './logic.js';

export const handler = step('eks-cf', 'Wait For Replacements', waitForReplacementsStep);
