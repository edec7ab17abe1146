// Pure pieces of planning that managed node groups and Fargate profiles share: the names a group's resources can
// have, tag changes, EKS's health issues in words, and the wait / delete decisions in the same words for both.
import { ProvisioningFailedError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import type { Tags } from '../../core/spec/types.js';

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

/** A resource EKS could not delete stops the plan: a person must look at it. */
export function deleteFailed(noun: string, name: string, resource: EksResource): never {
  const issues = healthIssues(resource);
  throw new ProvisioningFailedError(
    `EKS could not delete ${noun} ${name}${issues ? `: ${issues}` : ''}. Fix the cause, delete it in the EKS console, then apply again`,
  );
}
