import { step } from '../../kit/step.js';
import { terminateDrained } from '../rotation/steps.js';

export const handler = step('eks-cf', 'Terminate Drained Instances', terminateDrained);
