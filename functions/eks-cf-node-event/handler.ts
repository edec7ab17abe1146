// EventBridge target for the relay's "InstanceGroup Node Ready" events: resumes the eks-cf workflow waiting for
// that group's nodes to join (see functions/eks-cf/node-events.ts and docs/workflows/eks-cf.md).
import { createLogger } from '../../core/log/index.js';
import { handleNodeReady, type NodeReadyEvent } from '../eks-cf/node-events.js';
import { sfn } from '../kit/clients.js';
import { clusterAccess } from '../kit/kube.js';

const log = createLogger({ component: 'eks-cf-node-event' });

export const handler = async (event: NodeReadyEvent) => {
  const result = await handleNodeReady(event, { sfn: sfn(), clusterAccess: clusterAccess(), log });
  log.info('node ready event handled', { eventId: event.id, group: event.detail?.group, ...result });
  return result;
};
