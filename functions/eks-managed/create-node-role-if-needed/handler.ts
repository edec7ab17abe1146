import { step } from '../../kit/step.js';
import { createNodeRoleIfNeededStep } from './logic.js';

export const handler = step('eks-managed', 'Create Node Role If Needed', createNodeRoleIfNeededStep);
