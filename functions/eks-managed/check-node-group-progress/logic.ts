import { nodeGroupProgress } from '../nodegroups.js';
import { progressCheckStep } from '../../shared/progress-check.js';

/** One pass of the wait loop: is EKS done with the node group? Fails with EKS's health issues if it failed. */
export const checkNodeGroupProgressStep = progressCheckStep('nodeGroupName', nodeGroupProgress);
