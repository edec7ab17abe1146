// Pure pieces of planning that managed node groups and Fargate profiles share: the names a group's resources can
// have, tag changes, EKS's health issues in words, the wait / delete / tag decisions in the same words for both, and
// what the ownership stamps (stamp.ts) mean for a plan.
import { ProvisioningFailedError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import type { Tags } from '../../core/spec/types.js';
import { deletableBy, readStamp, refuseBackwards, restampTags, STAMP_TAGS, type Stamp } from './stamp.js';

export type WaitFor = 'active' | 'gone';

/** What EKS reports of a node group or a Fargate profile that planning reads. */
export interface EksResource {
  status?: string;
  tags?: Record<string, string>;
  health?: { issues?: { code?: string; message?: string; resourceIds?: string[] }[] };
}

/** Revisions looked for when finding a group's resources by name; a group is replaced far fewer times. */
export const MAX_REVISIONS = 1000;

/** name → revision for every name `nameFor` derives for the group's resources. */
export function revisionsByName(ref: GroupRef, nameFor: (ref: GroupRef, revision: number) => string, max = MAX_REVISIONS): Map<string, number> {
  const out = new Map<string, number>();
  for (let r = 0; r < max; r++) out.set(nameFor(ref, r), r);
  return out;
}

export function healthIssues(resource: EksResource): string {
  return (resource.health?.issues ?? [])
    .map((i) => `${i.code ?? 'Issue'}: ${i.message ?? 'no message'}${i.resourceIds?.length ? ` (${i.resourceIds.join(', ')})` : ''}`)
    .join('; ');
}

export interface TagChange {
  resourceArn: string;
  tag: Tags;
  untag: string[];
}

/** The tags to add or change and to remove so that `have` becomes `want`; AWS's own and `ignored` keys stay. */
export function tagChanges(want: Tags, have: Record<string, string> | undefined, ignored: string[] = []): { tag: Tags; untag: string[]; changes: string[] } {
  const current = Object.fromEntries(Object.entries(have ?? {}).filter(([k]) => !ignored.includes(k) && !k.startsWith('aws:')));
  const tag = Object.fromEntries(Object.entries(want).filter(([k, v]) => current[k] !== v));
  const untag = Object.keys(current).filter((k) => !(k in want));
  return { tag, untag, changes: [...Object.keys(tag).map((k) => `tag ${k}=${tag[k]}`), ...untag.map((k) => `-tag ${k}`)] };
}

/**
 * The tag changes towards `want`, with the stamp written along (moved to this generation, or to this owner). The
 * stamp is not the user's: it is never untagged, and a change of the stamp alone is no change in words (`changes`).
 */
export function stampedTagChanges(
  want: Tags,
  have: Record<string, string> | undefined,
  stamp: Stamp | undefined,
  ignored: string[] = [],
): { tag: Tags; untag: string[]; changes: string[] } {
  const { tag, untag, changes } = tagChanges(want, have, [...ignored, ...Object.values(STAMP_TAGS)]);
  return { tag: { ...tag, ...restampTags(readStamp(have ?? {}), stamp) }, untag, changes };
}

export const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Throws NoLongerWantedError when any of the resources carries a newer generation of the same owner than `stamp`. */
export function refuseOlderWrites<R extends EksResource>(noun: string, resources: R[], nameOf: (resource: R) => string, stamp: Stamp | undefined): void {
  if (!stamp) return;
  for (const r of resources) refuseBackwards(`${capitalized(noun)} ${nameOf(r)}`, readStamp(r.tags ?? {}), stamp);
}

/**
 * What a delete may remove of the group's resources: with the deleting group's uid, not those another owner stamped
 * (a group recreated under the same name), which are left alone.
 */
export function deletableByOwner<T>(ours: T[], tagsOf: (item: T) => Record<string, string> | undefined, ownerUid?: string): { deletable: T[]; leftAlone: T[] } {
  const deletable = ownerUid ? ours.filter((o) => deletableBy(readStamp(tagsOf(o) ?? {}), ownerUid)) : ours;
  return { deletable, leftAlone: ours.filter((o) => !deletable.includes(o)) };
}

/** How one kind is named in decisions: the noun in words and the field that carries the resource's name. */
export interface DecisionWords<K extends string> {
  noun: string;
  nameKey: K;
}

export type Named<K extends string> = { [key in K]?: string };

export function waitDecision<K extends string>(words: DecisionWords<K>, name: string, waitFor: WaitFor, why: string) {
  return { action: 'wait' as const, [words.nameKey]: name, waitFor, summary: `Waiting for ${words.noun} ${name}: ${why}` } as {
    action: 'wait';
    waitFor: WaitFor;
    summary: string;
  } & Named<K>;
}

export function deleteDecision<K extends string>(words: DecisionWords<K>, name: string, why: string) {
  return {
    action: 'delete' as const,
    [words.nameKey]: name,
    waitFor: 'gone' as const,
    summary: `Deleting ${words.noun} ${name}${why}`,
    done: `Deleted ${words.noun} ${name}${why}`,
  } as { action: 'delete'; waitFor: 'gone'; summary: string; done: string } & Named<K>;
}

/** A delete with nothing of the group's left to remove; the names left alone are another owner's. */
export function nothingLeft(noun: string, leftAlone: string[]): { action: 'none'; summary: string } {
  const note = leftAlone.length
    ? ` (${leftAlone.join(', ')} belong${leftAlone.length === 1 ? 's' : ''} to a group recreated under the same name; left alone)`
    : '';
  return { action: 'none', summary: `No ${noun} of this group is left${note}` };
}

/**
 * The in-place tag change towards the spec, or undefined when the tags match. The user's changes are said in words
 * (`done`, for the Ready message); a change of the stamp alone is not.
 */
export function tagDecision<K extends string>(
  words: DecisionWords<K>,
  name: string,
  resourceArn: string,
  change: { tag: Tags; untag: string[]; changes: string[] },
  stamp: Stamp | undefined,
) {
  type TagDecision = { action: 'update-tags'; waitFor: 'active'; summary: string; done?: string; updateTags: TagChange } & Named<K>;
  const updateTags: TagChange = { resourceArn, tag: change.tag, untag: change.untag };
  const decided = (summary: string, done?: string) =>
    ({ action: 'update-tags', [words.nameKey]: name, waitFor: 'active', summary, ...(done ? { done } : {}), updateTags }) as TagDecision;
  if (change.changes.length) {
    const what = `the tags of ${words.noun} ${name}: ${change.changes.join(', ')}`;
    return decided(`Updating ${what}`, `Updated ${what}`);
  }
  if (Object.keys(change.tag).length) return decided(`Stamping ${words.noun} ${name} with generation ${stamp?.generation}`);
  return undefined;
}

/** A resource EKS could not delete stops the plan: a person must look at it. */
export function deleteFailed(noun: string, name: string, resource: EksResource): never {
  const issues = healthIssues(resource);
  throw new ProvisioningFailedError(
    `EKS could not delete ${noun} ${name}${issues ? `: ${issues}` : ''}. Fix the cause, delete it in the EKS console, then apply again`,
  );
}
