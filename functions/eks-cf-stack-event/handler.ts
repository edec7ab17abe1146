// EventBridge target for "CloudFormation Stack Status Change" events of our stacks: resumes the eks-cf workflow
// waiting for that stack (see functions/eks-cf/stack-events.ts and docs/workflows/eks-cf.md).
import { createLogger } from '../../core/log/index.js';
import { handleStackStatusChange, type StackStatusChangeEvent } from '../eks-cf/stack-events.js';
import { cloudformation, sfn } from '../kit/clients.js';
import { clusterAccess } from '../kit/kube.js';

const log = createLogger({ component: 'eks-cf-stack-event' });

export const handler = async (event: StackStatusChangeEvent) => {
  const result = await handleStackStatusChange(event, { cloudformation: cloudformation(), sfn: sfn(), clusterAccess: clusterAccess(), log });
  log.info('stack status change handled', { eventId: event.id, stackId: event.detail?.['stack-id'], ...result });
  return result;
};
