import { terminateDrained } from '../eks-cf/rotation/steps.js';
import { workflowStep } from '../shared/step.js';

export const handler = workflowStep('Terminate Drained Instances', terminateDrained);
