// Which execution last wrote an AWS resource: the owner's uid and the generation, as two tags. A write by an older
// generation of the same owner is refused, so executions that finish out of order cannot roll AWS back; a delete
// leaves alone a resource stamped by another owner (a group recreated under the same name).
import { NoLongerWantedError } from '../../core/errors/index.js';

export const STAMP_TAGS = {
  ownerUid: 'instancemgr.keikoproj.io/owner-uid',
  generation: 'instancemgr.keikoproj.io/generation',
} as const;

export interface Stamp {
  uid: string;
  generation: number;
}

type TagList = { Key?: string; Value?: string }[] | undefined;

export function stampTags(stamp: Stamp): Record<string, string> {
  return { [STAMP_TAGS.ownerUid]: stamp.uid, [STAMP_TAGS.generation]: String(stamp.generation) };
}

export function isStampTag(key: string | undefined): boolean {
  return key === STAMP_TAGS.ownerUid || key === STAMP_TAGS.generation;
}

/** The stamp a resource carries, if any. */
export function readStamp(tags: TagList | Record<string, string>): Partial<Stamp> {
  const map = Array.isArray(tags) ? Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? ''])) : (tags ?? {});
  const generation = Number(map[STAMP_TAGS.generation]);
  return {
    ...(map[STAMP_TAGS.ownerUid] ? { uid: map[STAMP_TAGS.ownerUid] } : {}),
    ...(Number.isInteger(generation) && generation > 0 ? { generation } : {}),
  };
}

/** Refuses a write by `mine` over a resource a newer generation of the same owner wrote. */
export function refuseBackwards(resource: string, found: Partial<Stamp>, mine: Stamp): void {
  if (found.uid === mine.uid && found.generation !== undefined && found.generation > mine.generation) {
    throw new NoLongerWantedError(
      `${resource} was last written by generation ${found.generation}; generation ${mine.generation} is older and is not applied`,
    );
  }
}

/** Whether a delete for `uid` may remove a resource with this stamp: unstamped ones and its own only. */
export function deletableBy(found: Partial<Stamp>, uid: string): boolean {
  return found.uid === undefined || found.uid === uid;
}

/** The stamp `mine` would write, when the resource does not carry it yet (moving forward, or adopting). */
export function restampTags(found: Partial<Stamp>, mine: Stamp | undefined): Record<string, string> {
  if (!mine || (found.uid === mine.uid && found.generation === mine.generation)) return {};
  return stampTags(mine);
}

/** The newest generation of `uid` that any of these resources was written by, if any. */
export function newestGeneration(tagSets: (TagList | Record<string, string>)[], uid: string): number | undefined {
  const generations = tagSets.map(readStamp).filter((s) => s.uid === uid && s.generation !== undefined).map((s) => s.generation!);
  return generations.length ? Math.max(...generations) : undefined;
}

/** The stamp of an execution: the group's uid and the generation it applies. */
export function stampOf(change: { group: { uid: string; generation: number } }): Stamp {
  return { uid: change.group.uid, generation: change.group.generation };
}

/**
 * Who writes, and why: an apply refuses to write over a newer generation of the same owner; a delete leaves alone a
 * resource another owner stamped (a group recreated under the same name).
 */
export interface WriteGuard {
  stamp: Stamp;
  operation: 'apply' | 'delete';
}

/** The guard of an execution's delete call: a replace within an apply, or the group's delete. */
export function writeGuardOf(change: { operation: string; group: { uid: string; generation: number } }): WriteGuard {
  return { stamp: stampOf(change), operation: change.operation === 'delete' ? 'delete' : 'apply' };
}

/** Whether a set of tags to write already holds this stamp (a TagResource that moves it along). */
export function carriesStamp(tags: Record<string, string> | undefined, stamp: Stamp): boolean {
  return Object.entries(stampTags(stamp)).every(([k, v]) => tags?.[k] === v);
}
