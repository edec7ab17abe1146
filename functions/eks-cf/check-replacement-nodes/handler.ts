import { step } from '../../kit/step.js';
import { checkReplacements } from '../rotation/steps.js';

export const handler = step('eks-cf', 'Check Replacement Nodes', checkReplacements);
