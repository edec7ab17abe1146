import { startBatch } from '../eks-cf/rotation/steps.js';
import { workflowStep } from '../shared/step.js';

export const handler = workflowStep('Start Batch', startBatch);
