// Errors of the Step Functions API, named exactly as AWS names them: the HTTP layer sends `name` as __type, so
// @aws-sdk/client-sfn raises its own exception classes (ExecutionAlreadyExists, ...) and awscli prints the code.

export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'StateMachineDoesNotExist'
  | 'StateMachineAlreadyExists'
  | 'InvalidArn'
  | 'InvalidName'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidToken'
  | 'InvalidOutput'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'InternalFailure';

export class SfnError extends Error {
  constructor(
    readonly code: SfnErrorCode,
    message: string,
    readonly httpStatus = code === 'InternalFailure' ? 500 : 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const sfnError = (code: SfnErrorCode, message: string) => new SfnError(code, message);

export function isSfnError(error: unknown, code?: SfnErrorCode): error is SfnError {
  return error instanceof SfnError && (code === undefined || error.code === code);
}
