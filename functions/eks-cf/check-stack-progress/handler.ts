import { step } from '../../kit/step.js';
import { checkStackProgressStep } from './logic.js';

export const handler = step('eks-cf', 'Check Stack Progress', checkStackProgressStep);
