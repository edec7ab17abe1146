// Whether an AWS resource is instance-manager's for a group: its ownership tags (core/names) say so.
import { ownershipTags, type GroupRef } from '../../core/names/index.js';
import type { Tags } from '../../core/spec/types.js';

/** True when the tags say instance-manager created this for exactly this group. */
export function ownedBy(tags: Tags | undefined, ref: GroupRef): boolean {
  if (!tags) return false;
  return Object.entries(ownershipTags(ref)).every(([k, v]) => tags[k] === v);
}

/** The tags a resource of the group carries: the user's (AWS's reserved `aws:` keys left out), then ours, which win. */
export function groupTags(userTags: Tags, ref: GroupRef): Tags {
  const user = Object.fromEntries(Object.entries(userTags).filter(([k]) => !k.startsWith('aws:')));
  return { ...user, ...ownershipTags(ref) };
}
