import { step } from '../../kit/step.js';
import { updateNodeGroupStep } from './logic.js';

export const handler = step('eks-managed', 'Update Node Group', updateNodeGroupStep);
