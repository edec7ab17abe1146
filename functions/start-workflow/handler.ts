// Lambda entry point: EventBridge rules (one per provisioner and operation) target this function. See start.ts.
// A further rule hands it the relay's heartbeats, which it only counts (the "relay silent" alarm watches them).
//
// Environment: STATE_MACHINE_ARNS (JSON map "<provisioner>/<operation>" → ARN) and/or one
// STATE_MACHINE_ARN_<PROVISIONER>_<OPERATION> per machine (core/workflows/state-machine-arns.ts);
// AWS_ENDPOINT_URL_SFN to point the SDK at another Step Functions endpoint (the local runtime).
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { HEARTBEAT_DETAIL_TYPE, isRelayHeartbeat, type RelayHeartbeat } from '../../core/events/index.js';
import { sfn } from '../kit/clients.js';
import { adaptLogger, metrics, observability, powertoolsLogger } from '../kit/observability.js';
import { stateMachineArnsFromEnv } from '../../core/workflows/state-machine-arns.js';
import { recordHeartbeat, recordStart } from './metrics.js';
import { handleStartWorkflowEvent, type BatchOutcome, type StartOutcome, type StartWorkflowEvent } from './start.js';

type HeartbeatEvent = EventBridgeEvent<typeof HEARTBEAT_DETAIL_TYPE, RelayHeartbeat>;
const isHeartbeatEvent = (event: StartWorkflowEvent | HeartbeatEvent): event is HeartbeatEvent =>
  (event as HeartbeatEvent)['detail-type'] === HEARTBEAT_DETAIL_TYPE;

export const handler = middy<StartWorkflowEvent | HeartbeatEvent, StartOutcome | BatchOutcome | { heartbeat: string }, Error, Context>()
  .use(observability())
  .use({
    onError: (request) => {
      adaptLogger(powertoolsLogger, { component: 'start-workflow' }).error('start-workflow failed', { error: request.error });
    },
  })
  .handler(async (event) => {
    const logger = adaptLogger(powertoolsLogger, { component: 'start-workflow' });
    if (isHeartbeatEvent(event)) {
      if (!isRelayHeartbeat(event.detail)) {
        logger.warn('ignoring a heartbeat of an unknown version', { eventId: event.id });
        return { heartbeat: 'unknown' };
      }
      recordHeartbeat(metrics, event.detail);
      logger.debug('relay heartbeat', { cluster: event.detail.cluster.name, identity: event.detail.identity });
      return { heartbeat: event.detail.cluster.name };
    }
    const outcome = await handleStartWorkflowEvent(event, { sfn: sfn(), stateMachines: stateMachineArnsFromEnv(), logger });
    recordStart(metrics, event, outcome);
    return outcome;
  });
