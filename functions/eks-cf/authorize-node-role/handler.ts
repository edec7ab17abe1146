import { step } from '../../kit/step.js';
import { authorizeNodeRoleStep } from './logic.js';

export const handler = step('eks-cf', 'Authorize Node Role', authorizeNodeRoleStep);
