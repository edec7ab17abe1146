// How the steps read AWS errors. EKS answers 409 (ResourceInUseException) both for "busy with another operation"
// and for "that name is taken", so the two are told apart here rather than by the generic classification, which
// would retry a name conflict forever.
import { classifyError, ResourceBusyError, type InstanceManagerError } from '../../core/errors/index.js';

export function awsErrorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

export function awsErrorMessage(error: unknown): string {
  return (error as { message?: string })?.message ?? String(error);
}

/** The thing asked about does not exist (EKS, IAM and EC2 spellings). */
export function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === 'ResourceNotFoundException' ||
    name === 'NoSuchEntity' ||
    name === 'NoSuchEntityException' ||
    name === 'NotFoundException' ||
    name.endsWith('NotFound')
  );
}

/** EKS: a resource with that name already exists. */
export function isAlreadyExists(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name === 'EntityAlreadyExists' || name === 'EntityAlreadyExistsException') return true;
  return name === 'ResourceInUseException' && /already exists/i.test(awsErrorMessage(error));
}

/** EKS: the resource (or, for Fargate, the cluster) is in the middle of another operation. */
export function isBusy(error: unknown): boolean {
  return awsErrorName(error) === 'ResourceInUseException' && !isAlreadyExists(error);
}

/** Classifies an AWS error for the state machine, naming what was being done. */
export function awsFailure(error: unknown, what: string): InstanceManagerError {
  if (isBusy(error)) return new ResourceBusyError(`${what}: ${awsErrorMessage(error)}`, { cause: error });
  return classifyError(error, what);
}

/** Runs one AWS call; any failure reaches the state machine classified and described. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsFailure(error, what);
  }
}

/** Runs one AWS call that may answer "not found": that answer becomes undefined. */
export async function awsFind<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw awsFailure(error, what);
  }
}
