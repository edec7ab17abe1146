import { cordonAndDrain } from '../eks-cf/rotation/drain-step.js';
import { workflowStep } from '../shared/step.js';

export const handler = workflowStep('Cordon And Drain', cordonAndDrain);
