import { awsRegion } from '../../../core/aws/config.js';
import { checkFargateReferences } from '../references.js';
import type { EksFargateState } from '../state.js';
import { enforceInstallationPolicy } from '../../shared/policy.js';
import { eks, iam } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';

/** Pre-flight: the installation policy allows the spec, and the EKS cluster, and the pod execution role if the spec names one, must exist. */
export const checkAwsReferencesStep = async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'>) => {
  await enforceInstallationPolicy(input, input.group.spec, access());
  return checkFargateReferences(input.group.spec, { eks: eks(), iam: iam(), region: awsRegion() });
};
