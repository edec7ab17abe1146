import { step } from '../../kit/step.js';
import { checkNodeGroupProgressStep } from './logic.js';

export const handler = step('eks-managed', 'Check Node Group Progress', checkNodeGroupProgressStep);
