import { awsRegion } from '../../../core/aws/config.js';
import { checkReferences } from '../references.js';
import type { EksCfState } from '../state.js';
import { enforceInstallationPolicy } from '../../shared/policy.js';
import { ec2, eks, iam, ssm } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';

/**
 * Pre-flight: the installation policy allows the spec, and the cluster, subnets, security groups, key pair, image and
 * role the spec names must exist. Returns the cluster's join facts and the resolved image, which the next step renders
 * into the user data.
 */
export const checkAwsReferencesStep = async (input: Pick<EksCfState, 'change' | 'execution' | 'group'>) => {
  await enforceInstallationPolicy(input, input.group.spec, access());
  return checkReferences(input.group.spec, { ec2: ec2(), eks: eks(), iam: iam(), ssm: ssm(), region: awsRegion() });
};
