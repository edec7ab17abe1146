// The AWS SDK clients every function uses, each built once per Lambda container on first use, through
// core/aws/config.ts's awsClient() (X-Ray capture in Lambda). Each export is a pure call, so esbuild drops the ones a
// bundle never calls, and with them their SDK package. The Kubernetes access lives in kube.ts: core/kube/access.ts
// pulls in code that is not side-effect free, which a bundle without Kubernetes calls should not carry.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';

/** `make()` on the first call, the same value after. */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const autoscaling = /* @__PURE__ */ once(() => awsClient(new AutoScalingClient(awsClientConfig())));
export const cloudformation = /* @__PURE__ */ once(() => awsClient(new CloudFormationClient(awsClientConfig())));
export const ec2 = /* @__PURE__ */ once(() => awsClient(new EC2Client(awsClientConfig())));
export const eks = /* @__PURE__ */ once(() => awsClient(new EKSClient(awsClientConfig())));
export const iam = /* @__PURE__ */ once(() => awsClient(new IAMClient(awsClientConfig())));
export const sfn = /* @__PURE__ */ once(() => awsClient(new SFNClient(awsClientConfig())));
export const ssm = /* @__PURE__ */ once(() => awsClient(new SSMClient(awsClientConfig())));

