// Locally, EventBridge rules deliver to an SQS queue and this dispatcher starts the workflows from it, with
// the start-workflow Lambda's own code pointed at the local Step Functions runtime.
//
//   const bus = await setUpLocalBus({ eventBridge, sqs, busName, queueName, workflows });
//   const dispatcher = startDispatcher({ sqs, queueUrl: bus.queueUrl,
//     startWorkflow: { sfn: localSfnClient(runtimeUrl), stateMachines: { 'eks-cf/apply': arn, ... } } });
//   ...
//   await dispatcher.stop();
export { setUpLocalBus, QUEUE_TARGET_ID, type LocalBus, type LocalBusOptions, type LocalBusRule, type Workflow } from './bus.js';
export { startDispatcher, type Dispatcher, type DispatcherOptions, type DispatcherStats } from './dispatcher.js';
export { localSfnClient } from '../stepfunctions/client.js';
