import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsClientConfig, awsRegion } from '../../core/aws/config.js';
import { clusterAccessFromEnv } from '../../core/kube/access.js';
import { checkFargateReferences } from '../eks-fargate/references.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { enforceInstallationPolicy } from '../shared/policy.js';
import { workflowStep } from '../shared/step.js';

const clients = lazy(() => ({ eks: new EKSClient(awsClientConfig()), iam: new IAMClient(awsClientConfig()), region: awsRegion() }));
const access = lazy(() => clusterAccessFromEnv());

/** Pre-flight: the installation policy allows the spec, and the EKS cluster, and the pod execution role if the spec names one, must exist. */
export const handler = workflowStep('Check AWS References', async (input: Pick<EksFargateState, 'change' | 'execution' | 'group'>) => {
  await enforceInstallationPolicy(input, input.group.spec, access());
  return checkFargateReferences(input.group.spec, clients());
});
