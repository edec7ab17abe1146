import { step } from '../../kit/step.js';
import { cordonAndDrain } from '../rotation/drain-step.js';

export const handler = step('eks-cf', 'Cordon And Drain', cordonAndDrain);
