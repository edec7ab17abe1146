import { step } from '../../kit/step.js';
import { deleteStackStep } from './logic.js';

export const handler = step('eks-cf', 'Delete Stack', deleteStackStep);
