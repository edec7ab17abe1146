import { awsRegion } from '../../../core/aws/config.js';
import { checkManagedReferences } from '../references.js';
import type { EksManagedState } from '../state.js';
import { enforceInstallationPolicy } from '../../shared/policy.js';
import { ec2, eks, iam } from '../../kit/clients.js';
import { clusterAccess as access } from '../../kit/kube.js';

/** Pre-flight: the installation policy allows the spec, and the cluster, subnets, key pair, security groups and node role the spec names must exist. */
export const checkAwsReferencesStep = async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'>) => {
  await enforceInstallationPolicy(input, input.group.spec, access());
  return checkManagedReferences(input.group.spec, { ec2: ec2(), eks: eks(), iam: iam(), region: awsRegion() });
};
