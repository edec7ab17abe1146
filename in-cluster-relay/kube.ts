// How the relay reaches the API server, without loading all of @kubernetes/client-node: its KubeConfig pulls in
// every generated API and model (about 85 MB of resident memory on its own, against a 100 MB budget). The relay
// instead takes core's KubeConnection (kubeconfig file or in-cluster service account) for its REST calls, and
// gives client-node's Watch the two things it needs from a KubeConfig: the server, and a request authenticator
// that sets the bearer token and an undici dispatcher trusting the cluster CA.
import fs from 'node:fs';
import { Agent } from 'undici';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { connectionFromKubeconfig, inClusterConnection, type KubeConnection } from '../core/kube/connection.js';
import { KubeRest } from '../core/kube/rest.js';

/** config.kubeconfig (or KUBECONFIG), else the pod's service account. */
export function relayConnection(kubeconfig: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const file = kubeconfig ?? env.KUBECONFIG?.split(':')[0];
  if (file) return connectionFromKubeconfig(file);
  if (env.KUBERNETES_SERVICE_HOST) return inClusterConnection(env);
  const home = env.HOME ? `${env.HOME}/.kube/config` : undefined;
  if (home && fs.existsSync(home)) return connectionFromKubeconfig(home);
  throw new Error('no Kubernetes credentials: set KUBECONFIG, or run in a pod with a service account');
}

export function restClient(connection: KubeConnection): KubeRest {
  return new KubeRest(connection);
}

/** The part of a KubeConfig that client-node's Watch uses. */
export interface WatchConfig {
  getCurrentCluster(): { server: string };
  applySecurityAuthentication(context: RequestContext): Promise<void>;
}

export function watchConfig(connection: KubeConnection): { config: KubeConfig; close(): Promise<void> } {
  const dispatcher = new Agent({
    connect: {
      ...(connection.caPem ? { ca: connection.caPem } : {}),
      ...(connection.certPem && connection.keyPem ? { cert: connection.certPem, key: connection.keyPem } : {}),
      rejectUnauthorized: !connection.insecureSkipTlsVerify,
    },
  });
  const config: WatchConfig = {
    getCurrentCluster: () => ({ server: connection.server }),
    async applySecurityAuthentication(context) {
      const token = connection.token?.();
      if (token) context.setHeaderParam('Authorization', `Bearer ${token}`);
      context.setDispatcher(dispatcher);
    },
  };
  return { config: config as unknown as KubeConfig, close: () => dispatcher.close() };
}
