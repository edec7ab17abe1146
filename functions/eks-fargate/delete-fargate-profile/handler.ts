import { step } from '../../kit/step.js';
import { deleteFargateProfileStep } from './logic.js';

export const handler = step('eks-fargate', 'Delete Fargate Profile', deleteFargateProfileStep);
