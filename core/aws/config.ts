// SDK client settings shared by every component. Endpoints follow the SDK's own variables (AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>): that is how the local control plane points the same code at moto and at the
// local Step Functions runtime. Retries use the SDK's adaptive backoff. Each module constructs only the clients
// it needs, so a Lambda bundle carries only those.

export interface AwsClientOptions {
  region?: string;
  maxAttempts?: number;
}

export function awsRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-west-2';
}

export function awsClientConfig(options: AwsClientOptions = {}) {
  return {
    region: options.region ?? awsRegion(),
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: 'adaptive' as const,
  };
}

type Instrument = <T extends object>(client: T) => T;
let instrument: Instrument = (client) => client;

/**
 * Lets a runtime wrap every SDK client the code makes (the Lambdas trace them with X-Ray through Powertools Tracer)
 * without core depending on it.
 */
export function instrumentAwsClients(wrap: Instrument): void {
  instrument = wrap;
}

/** An SDK client as the runtime wants it: `awsClient(new EKSClient(awsClientConfig()))`. */
export function awsClient<T extends object>(client: T): T {
  return instrument(client);
}
