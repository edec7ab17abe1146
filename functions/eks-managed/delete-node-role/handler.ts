import { step } from '../../kit/step.js';
import { deleteNodeRoleStep } from './logic.js';

export const handler = step('eks-managed', 'Delete Node Role', deleteNodeRoleStep);
