import { step } from '../../kit/step.js';
import { startBatchStep } from './logic.js';

export const handler = step('eks-cf', 'Start Batch', startBatchStep);
