// The local Step Functions runtime: real ASL files run by aws-local-stepfunctions, Lambda Task states bound
// in-process to handlers, executions kept with AWS-shaped histories, and the Step Functions API over HTTP.
//
//   const sfn = new LocalStepFunctions({ functions: { ValidateFunctionArn: validate.handler } });
//   const { stateMachineArn } = await sfn.createStateMachineFromFile('statemachines/eks-cf-apply.asl.json');
//   const url = await sfn.listen();            // aws stepfunctions list-executions --endpoint-url $url ...
//   const { executionArn } = await sfn.startExecution({ stateMachineArn, name, input });
//   await sfn.waitForExecution(executionArn);
//   await sfn.close();
export { LocalStepFunctions, type CreateLocalStateMachineInput, type LocalStepFunctionsOptions } from './service.js';
export { SfnError, isSfnError, type SfnErrorCode } from './errors.js';
export {
  DEFAULT_FUNCTION_PREFIX,
  kebabCase,
  listStates,
  parseDefinition,
  placeholderForFunction,
  readDefinitionFile,
  substitutePlaceholders,
  timingOverrides,
  type AslDefinition,
  type TimingOptions,
} from './definition.js';
export { lambdaContext, type FunctionHandlers, type LambdaContext, type LambdaHandler, type TaskHandlers } from './lambda.js';
export type { ExecutionRecord, ExecutionStatus } from './history.js';
export { SUPPORTED_OPERATIONS, toWire } from './http.js';
export { REDRIVE_ENTRY } from './redrive.js';
export { localSfnClient } from './client.js';
