import { step } from '../../kit/step.js';
import { startBatch } from '../rotation/steps.js';

export const handler = step('eks-cf', 'Start Batch', startBatch);
