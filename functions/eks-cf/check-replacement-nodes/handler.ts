import { step } from '../../kit/step.js';
import { checkReplacementNodesStep } from './logic.js';

export const handler = step('eks-cf', 'Check Replacement Nodes', checkReplacementNodesStep);
