import { step } from '../../kit/step.js';
import { checkAwsReferencesStep } from './logic.js';

export const handler = step('eks-cf', 'Check AWS References', checkAwsReferencesStep);
