import { step } from '../../kit/step.js';
import { waitForCloudformationStep } from './logic.js';

export const handler = step('eks-cf', 'Wait For CloudFormation', waitForCloudformationStep);
