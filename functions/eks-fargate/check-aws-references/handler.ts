import { step } from '../../kit/step.js';
import { checkAwsReferencesStep } from './logic.js';

export const handler = step('eks-fargate', 'Check AWS References', checkAwsReferencesStep);
