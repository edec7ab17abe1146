// Errors the CLI reports: a usage error (exit 2) or a failure (exit 1) whose message names the fix.
import { httpStatusOf } from '../core/kube/instancegroups.js';

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
  /** The kubeconfig user's exec credential plugin (`aws eks get-token --cluster-name x`), when it has one. */
  execPlugin?: string;
  /** The custom resource read, for the API server's 403 and 404 (default: InstanceGroups). */
  resource?: KubeResource;
}

export type KubeResource = 'instancegroups' | 'instancemanagerpolicies';

const RESOURCES: Record<KubeResource, { access: string; crd: string; install: string }> = {
  instancegroups: { access: 'list and get instancegroups.instancemgr.keikoproj.io', crd: 'InstanceGroup', install: 'kubectl apply -f infra/k8s/crd.yaml' },
  instancemanagerpolicies: {
    access: 'get instancemanagerpolicies.instancemgr.keikoproj.io',
    crd: 'InstanceManagerPolicy',
    install: 'kubectl apply -f infra/k8s/policy/crd.yaml',
  },
};

/** The Kubernetes Status message of a failed call, from core/kube's client or @kubernetes/client-node's. */
function kubeMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const parsed = typeof body === 'string' ? (() => { try { return JSON.parse(body) as unknown; } catch { return body; } })() : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  if (typeof parsed === 'string' && parsed.trim()) return parsed.trim();
  return (error as Error).message ?? String(error);
}

function explainKube(error: unknown, status: number, ctx: ErrorContext, where: string): CliError {
  const message = kubeMessage(error);
  if (status === 401) {
    return new CliError(
      `the API server${where} rejected the credentials (401)`,
      ctx.execPlugin
        ? `the token from \`${ctx.execPlugin}\` was refused: check that its AWS identity (AWS_PROFILE, aws sts get-caller-identity) has an EKS access entry or an aws-auth mapping, and that --region and the cluster name are right`
        : 'refresh the kubeconfig credentials (for EKS: aws eks update-kubeconfig --name <cluster>)',
    );
  }
  const resource = ctx.resource ?? 'instancegroups';
  const { access, crd, install } = RESOURCES[resource];
  if (status === 403) return new CliError(`not allowed: ${message}`, `use an identity that may ${access}`);
  if (status === 404 && (message.includes(resource) || /could not find the requested resource|page not found/.test(message))) {
    return new CliError(`the ${crd} CRD is not installed in this cluster`, install);
  }
  return new CliError(`the API server${where}: ${status} ${message}`);
}

const ENDPOINT_VARIABLE: Record<string, string> = { 'Step Functions': 'SFN', EventBridge: 'EVENTBRIDGE', CloudFormation: 'CLOUDFORMATION' };

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
        : `check the endpoint (AWS_ENDPOINT_URL_${ENDPOINT_VARIABLE[ctx.service] ?? 'EVENTBRIDGE'} or AWS_ENDPOINT_URL); locally, is \`npm start\` running?`;
    return new CliError(`cannot reach ${ctx.service}${where} (${code})`, fix);
  }
  const name = (error as { name?: string })?.name ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(message)) {
    return new CliError(`no AWS credentials for ${ctx.service}`, 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the local runtime accepts any values)');
  }
  const status = ctx.service === 'the API server' ? httpStatusOf(error) : undefined;
  if (status !== undefined && status >= 400) return explainKube(error, status, ctx, where);
  if (ctx.execPlugin && name !== 'FetchError') {
    // The request never left: the credential plugin failed (client-node rejects with its stderr, or spawn's error).
    if (code === 'ENOENT' || /ENOENT/.test(message)) {
      return new CliError(`the kubeconfig's exec credential plugin \`${ctx.execPlugin}\` is not installed or not on PATH`, 'install it (aws eks get-token needs the AWS CLI v2) or fix PATH');
    }
    return new CliError(
      `the kubeconfig's exec credential plugin \`${ctx.execPlugin}\` failed: ${message.trim() || name}`,
      'run the command yourself to see why (for aws eks get-token: AWS credentials, AWS_PROFILE, the region and the cluster name)',
    );
  }
  if (/AccessDenied|UnrecognizedClient|InvalidSignature/.test(name)) {
    return new CliError(`${ctx.service} denied the request: ${message}`, 'check the AWS credentials and their permissions');
  }
  return new CliError(`${ctx.service}${where}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`);
}
