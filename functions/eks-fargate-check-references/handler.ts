import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsClient, awsClientConfig, awsRegion } from '../../core/aws/config.js';
import { checkFargateReferences } from '../eks-fargate/references.js';
import { lazy, type EksFargateState } from '../eks-fargate/state.js';
import { workflowStep } from '../shared/step.js';

const clients = lazy(() => ({ eks: awsClient(new EKSClient(awsClientConfig())), iam: awsClient(new IAMClient(awsClientConfig())), region: awsRegion() }));

/** Pre-flight: the EKS cluster, and the pod execution role if the spec names one, must exist. */
export const handler = workflowStep('Check AWS References', (input: Pick<EksFargateState, 'change' | 'execution' | 'group'>) =>
  checkFargateReferences(input.group.spec, clients()),
);
