import { step } from '../../kit/step.js';
import { checkAwsReferencesStep } from './logic.js';

export const handler = step('eks-managed', 'Check AWS References', checkAwsReferencesStep);
