// The local EksCfStackEventsRule: the emulated CloudFormation events (./index.ts) go to the eks-cf-stack-event
// Lambda's own code, with the clients that Lambda would have: CloudFormation (moto), Step Functions (the local
// runtime) and the workflows' identity in the cluster.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig } from '../../core/aws/config.js';
import { KubeconfigAccess } from '../../core/kube/access.js';
import type { Logger } from '../../core/log/index.js';
import { handleStackStatusChange } from '../../functions/eks-cf/stack-events.js';
import { startStackEventWatcher } from './index.js';

export interface LocalStackEventsOptions {
  stepFunctionsUrl: string;
  /** kubeconfig of the workflows' identity. */
  workflowsKubeconfigPath: string;
  logger: Logger;
  intervalMs?: number;
}

export function startLocalStackEvents(options: LocalStackEventsOptions): { stop(): Promise<void> } {
  const config = awsClientConfig();
  const cloudformation = new CloudFormationClient(config);
  const sfn = new SFNClient({ ...config, endpoint: options.stepFunctionsUrl });
  const clusterAccess = new KubeconfigAccess(options.workflowsKubeconfigPath);
  const log = options.logger.child({ component: 'eks-cf-stack-event' });
  const watcher = startStackEventWatcher({
    cloudformation,
    region: config.region,
    ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
    logger: options.logger.child({ component: 'local-cfn-events' }),
    deliver: async (event) => {
      const result = await handleStackStatusChange(event, { cloudformation, sfn, clusterAccess, log });
      log.info('stack status change handled', { eventId: event.id, stackId: event.detail['stack-id'], ...result });
      return result;
    },
  });
  return {
    async stop() {
      await watcher.stop();
      cloudformation.destroy();
      sfn.destroy();
    },
  };
}
