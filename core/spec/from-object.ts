import { isDeepStrictEqual } from 'node:util';
import type { InstanceGroupSpec } from '../schema/types.generated.js';
import type { InstanceGroup } from './types.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

/**
 * The spec as the user wrote it. Client-side `kubectl apply` drops keys whose value is null before sending, which
 * erases the reference README's Fargate selector shorthand (`- namespace1:` has a null value). kubectl keeps the
 * manifest, nulls included, in its last-applied-configuration annotation; when that record matches the stored
 * spec in everything but the nulls, it is the user's spec and we read it from there. `kubectl create` and
 * server-side apply keep the nulls, so they need no recovery.
 */
export function specOf(group: Pick<InstanceGroup, 'spec' | 'metadata'>): InstanceGroupSpec {
  const recorded = group.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!recorded) return group.spec;
  try {
    const lastApplied = (JSON.parse(recorded) as { spec?: InstanceGroupSpec }).spec;
    if (lastApplied && isDeepStrictEqual(withoutNulls(lastApplied), withoutNulls(group.spec))) return lastApplied;
  } catch {
    // A hand-edited or truncated annotation is not the user's spec; fall back to what the server stored.
  }
  return group.spec;
}
