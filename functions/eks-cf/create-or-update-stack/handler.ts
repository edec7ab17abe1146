import { step } from '../../kit/step.js';
import { createOrUpdateStackStep } from './logic.js';

export const handler = step('eks-cf', 'Create Or Update Stack', createOrUpdateStackStep);
