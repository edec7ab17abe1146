// EventBridge target for "CloudFormation Stack Status Change" events of our stacks: resumes the eks-cf workflow
// waiting for that stack (see functions/eks-cf/stack-events.ts and docs/workflows/eks-cf.md).
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient, awsClientConfig } from '../../core/aws/config.js';
import { clusterAccessFromEnv, type ClusterAccess } from '../../core/kube/access.js';
import { createLogger } from '../../core/log/index.js';
import { handleStackStatusChange, type StackStatusChangeEvent } from '../eks-cf/stack-events.js';

let deps: { cloudformation: CloudFormationClient; sfn: SFNClient; clusterAccess: ClusterAccess } | undefined;
const log = createLogger({ component: 'eks-cf-stack-event' });

export const handler = async (event: StackStatusChangeEvent) => {
  deps ??= {
    cloudformation: awsClient(new CloudFormationClient(awsClientConfig())),
    sfn: awsClient(new SFNClient(awsClientConfig())),
    clusterAccess: clusterAccessFromEnv(),
  };
  const result = await handleStackStatusChange(event, { ...deps, log });
  log.info('stack status change handled', { eventId: event.id, stackId: event.detail?.['stack-id'], ...result });
  return result;
};
