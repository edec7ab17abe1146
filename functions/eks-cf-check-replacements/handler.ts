import { checkReplacements } from '../eks-cf/rotation/steps.js';
import { workflowStep } from '../shared/step.js';

export const handler = workflowStep('Check Replacement Nodes', checkReplacements);
