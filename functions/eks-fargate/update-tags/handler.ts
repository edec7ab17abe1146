import { step } from '../../kit/step.js';
import { updateTagsStep } from './logic.js';

export const handler = step('eks-fargate', 'Update Tags', updateTagsStep);
