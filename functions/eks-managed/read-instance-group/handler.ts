import { step } from '../../kit/step.js';
import { readInstanceGroupStep } from './logic.js';

export const handler = step('eks-managed', 'Read Instance Group', readInstanceGroupStep);
