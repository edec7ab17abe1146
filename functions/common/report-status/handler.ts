import { step } from '../../kit/step.js';
import { reportStatusStep } from './logic.js';

export const handler = step('common', 'Report Status', reportStatusStep);
