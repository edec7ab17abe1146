import { step } from '../../kit/step.js';
import { waitForNodesToJoinStep } from './logic.js';

export const handler = step('eks-cf', 'Wait For Nodes To Join', waitForNodesToJoinStep);
