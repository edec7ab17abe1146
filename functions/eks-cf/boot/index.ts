// User data per image family: pure renderers of the node's boot configuration.
import type { ImageFamily } from '../../../core/spec/types.js';
import { al2UserData } from './al2.js';
import { al2023UserData } from './al2023.js';
import { bottlerocketUserData } from './bottlerocket.js';
import type { BootInput } from './types.js';

export type { BootInput };
export { clusterDnsIp, clusterFacts, usesAccessEntries, type ClusterFacts } from './cluster.js';
export { kubeletSettings, type KubeletSettings } from './kubelet.js';

const RENDERERS: Record<ImageFamily, (input: BootInput) => string> = {
  al2023: al2023UserData,
  bottlerocket: bottlerocketUserData,
  al2: al2UserData,
};

export function renderUserData(family: ImageFamily, input: BootInput): string {
  return RENDERERS[family](input);
}
