// An SFN client for the local runtime's endpoint: any credentials are accepted there, so dummy ones are used.
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig } from '../../core/aws/config.js';

export function localSfnClient(endpoint: string, options: { region?: string } = {}): SFNClient {
  return new SFNClient({
    ...awsClientConfig({ region: options.region, maxAttempts: 3 }),
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
