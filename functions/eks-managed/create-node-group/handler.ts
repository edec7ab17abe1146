import { step } from '../../kit/step.js';
import { createNodeGroupStep } from './logic.js';

export const handler = step('eks-managed', 'Create Node Group', createNodeGroupStep);
