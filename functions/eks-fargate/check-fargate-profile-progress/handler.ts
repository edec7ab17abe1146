import { step } from '../../kit/step.js';
import { checkFargateProfileProgressStep } from './logic.js';

export const handler = step('eks-fargate', 'Check Fargate Profile Progress', checkFargateProfileProgressStep);
