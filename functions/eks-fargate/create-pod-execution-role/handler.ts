import { step } from '../../kit/step.js';
import { createPodExecutionRoleStep } from './logic.js';

export const handler = step('eks-fargate', 'Create Pod Execution Role', createPodExecutionRoleStep);
