import { step } from '../../kit/step.js';
import { createFargateProfileStep } from './logic.js';

export const handler = step('eks-fargate', 'Create Fargate Profile', createFargateProfileStep);
