// Adding our finalizer before the first apply event, so that a delete always reaches the workflows. A JSON patch
// with a test op (core/kube) fails on any concurrent change to the list; then the object is read again and the
// patch retried at once (a conflict is resolved by a fresh read, not by waiting), a few times.
import { httpStatusOf, type InstanceGroupApi } from '../core/kube/instancegroups.js';
import { groupContext, type Logger } from '../core/log/index.js';
import type { InstanceGroup } from '../core/spec/types.js';
import { hasFinalizer } from './decide.js';
import type { RelayMetrics } from './metrics.js';

const MAX_TRIES = 5;

/** Returns the updated object, or undefined when moot (the object is gone or was replaced). */
export async function ensureFinalizer(
  groups: InstanceGroupApi,
  group: InstanceGroup,
  observe: { metrics: RelayMetrics; logger: Logger },
): Promise<InstanceGroup | undefined> {
  const { metrics, logger } = observe;
  let current = group;
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    try {
      const updated = await groups.addFinalizer(current);
      metrics.finalizers.inc({ result: 'added' });
      logger.debug('finalizer added', groupContext(current.metadata));
      return updated;
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404) return undefined;
      if (status !== 409 && status !== 422) {
        metrics.finalizers.inc({ result: 'error' });
        throw error;
      }
      metrics.finalizers.inc({ result: 'conflict' });
      // The object (or its finalizer list) changed meanwhile: look again.
      const fresh = await groups.get(current.metadata);
      if (!fresh || fresh.metadata.uid !== group.metadata.uid) return undefined;
      // A deleting object cannot take new finalizers; without ours there is nothing of ours to delete.
      if (fresh.metadata.deletionTimestamp || hasFinalizer(fresh)) return fresh;
      current = fresh;
    }
  }
  throw new Error('the finalizer list kept changing; will retry');
}
