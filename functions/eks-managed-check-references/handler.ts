import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsClientConfig, awsRegion } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { checkManagedReferences } from '../eks-managed/references.js';
import { lazy, type EksManagedState } from '../eks-managed/state.js';
import { enforceInstallationPolicy } from '../shared/policy.js';
import { workflowStep } from '../shared/step.js';

const clients = lazy(() => ({
  ec2: new EC2Client(awsClientConfig()),
  eks: new EKSClient(awsClientConfig()),
  iam: new IAMClient(awsClientConfig()),
  region: awsRegion(),
}));
const access = lazy(() => clusterAccessFromEnv());

/** Pre-flight: the installation policy allows the spec, and the cluster, subnets, key pair, security groups and node role the spec names must exist. */
export const handler = workflowStep('Check AWS References', async (input: Pick<EksManagedState, 'change' | 'execution' | 'group'>) => {
  await enforceInstallationPolicy(input, input.group.spec, access());
  return checkManagedReferences(input.group.spec, clients());
});
