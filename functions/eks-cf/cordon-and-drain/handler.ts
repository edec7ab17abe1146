import { step } from '../../kit/step.js';
import { cordonAndDrainStep } from './logic.js';

export const handler = step('eks-cf', 'Cordon And Drain', cordonAndDrainStep);
