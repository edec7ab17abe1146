import { step } from '../../kit/step.js';
import { checkNodesStep } from './logic.js';

export const handler = step('eks-cf', 'Check Nodes', checkNodesStep);
