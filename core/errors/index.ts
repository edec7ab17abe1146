// Every error a workflow step can end with. The class name is what the Lambda runtime reports as the error
// type, and so what the state machines' Retry and Catch blocks match: keep names stable.

export type ErrorKind = 'retryable' | 'terminal';

/** How Step Functions retries an error (a Retry block's fields, in ASL's own names). */
export interface RetryPolicy {
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy: 'FULL' | 'NONE';
}

/**
 * What a class says about itself, read by the state machine generator (statemachines/src) for Retry and Catch and
 * by explain-failure for the reason. Statics, so they are known without an instance.
 */
export interface ErrorClass {
  /** The error type Step Functions matches. Written out, not taken from the class's own name: bundles are minified. */
  readonly errorName: string;
  readonly kind: ErrorKind;
  /** A PascalCase reason for status conditions and Kubernetes Events. */
  readonly reason: string;
  /** Retryable classes only: how the state machines retry it unless a step names its own policy. */
  readonly retry?: RetryPolicy;
}

/** The Retry a step gets for a RetryableError: a few quick attempts, a minute apart at most. */
export const TRANSIENT_RETRY: RetryPolicy = { IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' };

export abstract class InstanceManagerError extends Error {
  static readonly errorName: string = 'InstanceManagerError';
  static readonly kind: ErrorKind = 'terminal';
  static readonly reason: string = 'Failed';
  static readonly retry?: RetryPolicy;

  readonly kind: ErrorKind;
  /** A PascalCase reason for status conditions and Kubernetes Events. */
  readonly reason: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const cls = new.target as unknown as ErrorClass;
    // A subclass declared outside this module without its own errorName keeps its class name.
    this.name = Object.hasOwn(cls, 'errorName') ? cls.errorName : new.target.name;
    this.kind = cls.kind;
    this.reason = cls.reason;
  }
}

/** Throttling, 5xx, timeouts, conflicts that a later attempt can win. State machines retry these with backoff. */
export class RetryableError extends InstanceManagerError {
  static override readonly errorName: string = 'RetryableError';
  static override readonly kind: ErrorKind = 'retryable';
  static override readonly reason: string = 'TransientFailure';
  static override readonly retry?: RetryPolicy = TRANSIENT_RETRY;
}

/**
 * The AWS resource is busy with another operation (a stack update in progress, a profile being created). Retried
 * like any RetryableError, unless the step names a longer policy for the resource it waits on.
 */
export class ResourceBusyError extends RetryableError {
  static override readonly errorName = 'ResourceBusyError';
  static override readonly reason = 'ResourceBusy';
}

/** The spec or the AWS account is wrong in a way that no retry can fix; the spec or the account must change. */
export class TerminalError extends InstanceManagerError {
  static override readonly errorName: string = 'TerminalError';
  static override readonly kind: ErrorKind = 'terminal';
  static override readonly reason: string = 'Failed';
}

export interface FieldProblem {
  /** Dotted path from the object root, e.g. spec.eks-cf.configuration.subnets. */
  field: string;
  message: string;
}

export class InvalidSpecError extends TerminalError {
  static override readonly errorName = 'InvalidSpecError';
  static override readonly reason = 'InvalidSpec';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => (p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`)).join('; '));
  }
}

/** A resource the spec names (subnet, security group, AMI, key pair, role, cluster) does not exist. */
export class MissingReferenceError extends TerminalError {
  static override readonly errorName = 'MissingReferenceError';
  static override readonly reason = 'MissingReference';
  constructor(readonly missing: FieldProblem[]) {
    super(missing.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** The spec asks for more than the installation policy (InstanceManagerPolicy "default") allows. */
export class PolicyViolationError extends TerminalError {
  static override readonly errorName = 'PolicyViolationError';
  static override readonly reason = 'PolicyViolation';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** AWS refused the request as invalid (bad parameter, limit exceeded, name taken). */
export class AwsRejectedError extends TerminalError {
  static override readonly errorName: string = 'AwsRejectedError';
  static override readonly reason: string = 'AwsRejected';
}

export class NameConflictError extends AwsRejectedError {
  static override readonly errorName = 'NameConflictError';
  static override readonly reason = 'NameConflict';
}

/** The AWS operation ran and ended in failure (stack rolled back, node group CREATE_FAILED). */
export class ProvisioningFailedError extends TerminalError {
  static override readonly errorName = 'ProvisioningFailedError';
  static override readonly reason = 'ProvisioningFailed';
}

/** A change AWS cannot make in place, without strategy.replace. */
export class ReplacementRequiredError extends TerminalError {
  static override readonly errorName = 'ReplacementRequiredError';
  static override readonly reason = 'ReplacementRequired';
}

/**
 * Not a failure: the execution's generation is no longer the one to apply (a newer one exists, or the group is being
 * deleted or is gone). A mutating step throws it when its re-check right before the AWS call says so; the apply state
 * machines catch it by name and end successfully without touching AWS.
 */
export class NoLongerWantedError extends TerminalError {
  static override readonly errorName = 'NoLongerWantedError';
  static override readonly reason = 'NoLongerWanted';
}

/** Every error class a workflow step can end with, parents before children. */
export const ERROR_CLASSES: readonly ErrorClass[] = [
  RetryableError,
  ResourceBusyError,
  TerminalError,
  InvalidSpecError,
  MissingReferenceError,
  PolicyViolationError,
  AwsRejectedError,
  NameConflictError,
  ProvisioningFailedError,
  ReplacementRequiredError,
  NoLongerWantedError,
];

export const RETRYABLE_ERROR_NAMES: readonly string[] = ERROR_CLASSES.filter((c) => c.kind === 'retryable').map((c) => c.errorName);
export const TERMINAL_ERROR_NAMES: readonly string[] = ERROR_CLASSES.filter((c) => c.kind === 'terminal').map((c) => c.errorName);

/** The class whose instances Step Functions reports under this error name. */
export function errorClassNamed(name: string): ErrorClass | undefined {
  return ERROR_CLASSES.find((c) => c.errorName === name);
}

const RETRYABLE_AWS_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServerException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  // A DNS server that did not answer, or a route that is down for a moment: both pass.
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Lambda-level failures Step Functions reports for a step, which a later attempt can get past: the function ran out
 * of time (Sandbox.Timedout; States.Timeout when the Task's own TimeoutSeconds fired) or Lambda itself failed.
 */
export function isRetryableStepError(name: string): boolean {
  return (
    RETRYABLE_ERROR_NAMES.includes(name) ||
    name.startsWith('Lambda.') ||
    name === 'States.Timeout' ||
    name === 'Sandbox.Timedout' ||
    // middy's timeoutEarlyResponse: the form a Lambda running out of time takes under middy, just before Sandbox.Timedout.
    name === 'TimeoutError'
  );
}

/**
 * Translates anything thrown by an SDK or the Kubernetes client into one of the two families,
 * keeping the original as `cause`.
 */
export function classifyError(error: unknown, context: string): InstanceManagerError {
  if (error instanceof InstanceManagerError) return error;
  const e = (error ?? {}) as {
    name?: string;
    code?: string | number;
    message?: string;
    statusCode?: number;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    cause?: { code?: unknown; name?: unknown };
  };
  const name = e.name ?? String(e.code ?? 'Error');
  const status = e.$metadata?.httpStatusCode ?? e.statusCode ?? (typeof e.code === 'number' ? e.code : undefined);
  const message = `${context}: ${e.message ?? String(error)}`;
  const causeCode = typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const retryable =
    RETRYABLE_AWS_NAMES.has(name) ||
    (typeof e.code === 'string' && RETRYABLE_AWS_NAMES.has(e.code)) ||
    (causeCode !== undefined && RETRYABLE_AWS_NAMES.has(causeCode)) ||
    Boolean(e.$retryable) ||
    // 401 from an API server: the EKS token expired (they live 15 minutes); the next attempt signs a new one.
    (status !== undefined && (status >= 500 || status === 429 || status === 409 || status === 401)) ||
    (name === 'TypeError' && /fetch failed/i.test(e.message ?? ''));
  return retryable ? new RetryableError(message, { cause: error }) : new AwsRejectedError(message, { cause: error });
}
