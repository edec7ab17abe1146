import { step } from '../../kit/step.js';
import { terminateDrainedInstancesStep } from './logic.js';

export const handler = step('eks-cf', 'Terminate Drained Instances', terminateDrainedInstancesStep);
