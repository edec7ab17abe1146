import { step } from '../../kit/step.js';
import { deleteNodeGroupStep } from './logic.js';

export const handler = step('eks-managed', 'Delete Node Group', deleteNodeGroupStep);
