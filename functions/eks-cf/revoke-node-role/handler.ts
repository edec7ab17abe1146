import { step } from '../../kit/step.js';
import { revokeNodeRoleStep } from './logic.js';

export const handler = step('eks-cf', 'Revoke Node Role', revokeNodeRoleStep);
