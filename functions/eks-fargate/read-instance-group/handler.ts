import { step } from '../../kit/step.js';
import { readInstanceGroupStep } from './logic.js';

export const handler = step('eks-fargate', 'Read Instance Group', readInstanceGroupStep);
