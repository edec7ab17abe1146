import { step } from '../../kit/step.js';
import { decideNextChangeStep } from './logic.js';

export const handler = step('eks-fargate', 'Decide Next Change', decideNextChangeStep);
