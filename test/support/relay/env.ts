// The environment of a relay process (in-cluster-relay/main.ts) on the test bed, as its Deployment would set it
// (in-cluster-relay/config.ts reads it): the `relay` identity's kubeconfig and moto as EventBridge. Timings differ
// per use (a test wants a Lease that changes hands in seconds), so they are the caller's.
import type { TestBed } from '../../../local/testbed/index.js';

export interface RelayProcess {
  bus: string;
  region: string;
  cluster: string;
  /** POD_NAME, the Lease holder's identity; left out where the caller sets it per replica. */
  identity?: string;
  /** WATCH_NAMESPACES; left out: every namespace. */
  namespaces?: string[];
}

/** The relay's variables, then `settings` (RESYNC_PERIOD, LEASE_*, ...) over them; HEALTH_PORT 0 takes a free port. */
export function relayProcessEnv(bed: TestBed, relay: RelayProcess, settings: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    KUBECONFIG: bed.kube!.kubeconfigFor('relay'),
    EVENT_BUS_NAME: relay.bus,
    AWS_REGION: relay.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: bed.moto!.url,
    CLUSTER_NAME: relay.cluster,
    ...(relay.identity ? { POD_NAME: relay.identity } : {}),
    ...(relay.namespaces ? { WATCH_NAMESPACES: relay.namespaces.join(',') } : {}),
    HEALTH_PORT: '0',
    ...settings,
  };
}
