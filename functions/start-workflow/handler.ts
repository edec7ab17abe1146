// Lambda entry point: EventBridge rules (one per provisioner and operation) target this function. See start.ts.
//
// Environment: STATE_MACHINE_ARNS (JSON map "<provisioner>/<operation>" → ARN) and/or one
// STATE_MACHINE_ARN_<PROVISIONER>_<OPERATION> per machine (config.ts); AWS_ENDPOINT_URL_SFN to point the SDK
// at another Step Functions endpoint (the local runtime).
import middy from '@middy/core';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { awsClientConfig } from '../../core/aws/config.js';
import { createLogger } from '../../core/log/index.js';
import { stateMachineArnsFromEnv } from './config.js';
import { handleStartWorkflowEvent, type BatchOutcome, type StartOutcome, type StartWorkflowEvent } from './start.js';

const logger = createLogger({ component: 'start-workflow' });
const sfn = new SFNClient(awsClientConfig());

export const handler = middy<StartWorkflowEvent, StartOutcome | BatchOutcome, Error, Context>()
  .use({
    onError: (request) => {
      logger.error('start-workflow failed', { awsRequestId: request.context.awsRequestId, error: request.error });
    },
  })
  .handler((event, context) =>
    handleStartWorkflowEvent(event, {
      sfn,
      stateMachines: stateMachineArnsFromEnv(),
      logger: logger.child({ awsRequestId: context.awsRequestId }),
    }),
  );
