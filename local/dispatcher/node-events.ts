// The local EksCfNodeEventsRule's target: the relay's "InstanceGroup Node Ready" events, routed by the dispatcher
// from the same queue the workflow rules fill, go to the eks-cf-node-event Lambda's own code with the clients that
// Lambda would have: Step Functions (the local runtime) and the workflows' identity in the cluster.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { KubeconfigAccess } from '../../core/kube/access.js';
import type { Logger } from '../../core/log/index.js';
import { handleNodeReady, type NodeReadyEvent } from '../../functions/eks-cf/node-events.js';

export function nodeEventTarget(options: { sfn: SFNClient; workflowsKubeconfigPath: string; logger: Logger }): (event: unknown) => Promise<unknown> {
  const clusterAccess = new KubeconfigAccess(options.workflowsKubeconfigPath);
  const log = options.logger.child({ component: 'eks-cf-node-event' });
  return async (event) => {
    const e = event as NodeReadyEvent;
    const result = await handleNodeReady(e, { sfn: options.sfn, clusterAccess, log });
    log.info('node ready event handled', { eventId: e.id, group: e.detail?.group, ...result });
    return result;
  };
}
