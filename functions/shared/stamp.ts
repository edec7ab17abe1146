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
