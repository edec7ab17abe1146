import { step } from '../../kit/step.js';
import { deletePodExecutionRoleStep } from './logic.js';

export const handler = step('eks-fargate', 'Delete Pod Execution Role', deletePodExecutionRoleStep);
