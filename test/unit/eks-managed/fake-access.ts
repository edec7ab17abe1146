// A ClusterAccess whose API server holds one InstanceGroup (or none): enough for the steps that re-read the group.
import type { ClusterAccess } from '../../../core/kube/access.js';
import { KubeApiError, KubeRest } from '../../../core/kube/rest.js';
import type { InstanceGroup } from '../../../core/spec/types.js';

export function fakeAccess(current: { object?: InstanceGroup }): ClusterAccess {
  const kube = new KubeRest({ server: 'http://127.0.0.1:1' });
  kube.get = (async () => {
    if (!current.object) throw new KubeApiError(404, 'NotFound', 'not found');
    return structuredClone(current.object);
  }) as KubeRest['get'];
  return { connect: async () => kube } as unknown as ClusterAccess;
}
