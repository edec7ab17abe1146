import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClientConfig, awsRegion } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { checkReferences } from '../eks-cf/references.js';
import { lazy, type EksCfState } from '../eks-cf/state.js';
import { enforceInstallationPolicy } from '../shared/policy.js';
import { workflowStep } from '../shared/step.js';

const clients = lazy(() => ({
  ec2: new EC2Client(awsClientConfig()),
  eks: new EKSClient(awsClientConfig()),
  iam: new IAMClient(awsClientConfig()),
  ssm: new SSMClient(awsClientConfig()),
  region: awsRegion(),
}));
const access = lazy(() => clusterAccessFromEnv());

/**
 * Pre-flight: the installation policy allows the spec, and the cluster, subnets, security groups, key pair, image and
 * role the spec names must exist. Returns the cluster's join facts and the resolved image, which the next step renders
 * into the user data.
 */
export const handler = workflowStep('Check AWS References', async (input: Pick<EksCfState, 'change' | 'execution' | 'group'>) => {
  await enforceInstallationPolicy(input, input.group.spec, access());
  return checkReferences(input.group.spec, clients());
});
