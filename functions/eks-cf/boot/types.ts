import type { ClusterFacts } from './cluster.js';
import type { KubeletSettings } from './kubelet.js';

/** Everything a family's renderer needs; each renderer is a pure function of it. */
export interface BootInput {
  cluster: ClusterFacts;
  kubelet: KubeletSettings;
  /** Present when the rolling update waits for each instance's cfn-signal. */
  signal?: { stackName: string; resource: string; region: string };
}
