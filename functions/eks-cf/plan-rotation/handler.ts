import { step } from '../../kit/step.js';
import { planRotationStep } from './logic.js';

export const handler = step('eks-cf', 'Plan Rotation', planRotationStep);
