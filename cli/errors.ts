// Errors the CLI reports: a usage error (exit 2) or a failure (exit 1) whose message names the fix.
import { KubeApiError } from '../core/kube/rest.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** What the operator can do about it. */
    readonly fix?: string,
  ) {
    super(message);
  }
}

const codeOf = (error: unknown): string | undefined => {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] } | undefined;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
};

export interface ErrorContext {
  /** The API being called, for the message: "Step Functions", "EventBridge", "the API server". */
  service: string;
  /** Where it was called, e.g. the endpoint or the kubeconfig. */
  where?: string;
}

/** A failure from an SDK or the Kubernetes client, turned into a CliError that says what to do. */
export function explain(error: unknown, ctx: ErrorContext): CliError {
  if (error instanceof CliError || error instanceof UsageError) return error as CliError;
  const message = (error as Error)?.message ?? String(error);
  const where = ctx.where ? ` at ${ctx.where}` : '';
  const code = codeOf(error) ?? /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET)\b/.exec(message)?.[1];
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || code === 'ECONNRESET') {
    const fix =
      ctx.service === 'the API server'
        ? 'check the kubeconfig (KUBECONFIG or --kubeconfig); locally, `npm start` prints the kubeconfig path'
        : `check the endpoint (AWS_ENDPOINT_URL_${ctx.service === 'Step Functions' ? 'SFN' : 'EVENTBRIDGE'} or AWS_ENDPOINT_URL); locally, is \`npm start\` running?`;
    return new CliError(`cannot reach ${ctx.service}${where} (${code})`, fix);
  }
  const name = (error as { name?: string })?.name ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(message)) {
    return new CliError(`no AWS credentials for ${ctx.service}`, 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the local runtime accepts any values)');
  }
  if (error instanceof KubeApiError) {
    if (error.code === 401) return new CliError(`the API server${where} rejected the credentials (401)`, 'refresh the kubeconfig credentials');
    if (error.code === 403) return new CliError(`not allowed: ${error.message}`, 'use an identity that may list and get instancegroups.instancemgr.keikoproj.io');
    if (error.code === 404 && /instancegroups/.test(error.message)) {
      return new CliError('the InstanceGroup CRD is not installed in this cluster', 'kubectl apply -f infra/k8s/crd.yaml');
    }
    return new CliError(`the API server${where}: ${error.message}`);
  }
  if (/AccessDenied|UnrecognizedClient|InvalidSignature/.test(name)) {
    return new CliError(`${ctx.service} denied the request: ${message}`, 'check the AWS credentials and their permissions');
  }
  return new CliError(`${ctx.service}${where}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`);
}
