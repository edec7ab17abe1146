import { step } from '../../kit/step.js';
import { planStep } from '../rotation/steps.js';

export const handler = step('eks-cf', 'Plan Rotation', planStep);
