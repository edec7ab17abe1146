// What a group's Fargate profile needs, decided from the spec and every profile of the cluster. Pure: no AWS
// calls, so every decision is unit-tested on plain objects.
//
// AWS cannot change a Fargate profile (tags aside), so a change of selectors, subnets or pod execution role
// replaces it: under a name instance-manager derives, the new profile is created first and the old one deleted
// once the new one is active; under a name the user fixed (fargateProfileName), the old profile must go first.
// AWS lets only one profile per cluster be CREATING or DELETING at a time, so creates and deletes wait
// (ResourceBusyError, retried by the state machine) while any profile of the cluster is in one of those states.
import type { CreateFargateProfileCommandInput, FargateProfile } from '@aws-sdk/client-eks';
import { NameConflictError, ResourceBusyError } from '../../core/errors/index.js';
import { fargateProfileName, shortHash, type GroupRef } from '../../core/names/index.js';
import type { EksFargateSpec, FargateSelector, Tags } from '../../core/spec/types.js';
import type { ObservedResources } from '../../core/status/index.js';
import {
  deletableByOwner,
  deleteDecision as deleteOf,
  deleteFailed as failedToDelete,
  healthIssues,
  MAX_REVISIONS,
  nothingLeft,
  refuseOlderWrites,
  revisionsByName as revisionsOf,
  stampedTagChanges,
  tagDecision,
  waitDecision,
  type DecisionWords,
  type TagChange,
} from '../shared/eks-resource-plan.js';
import { groupTags, ownedBy } from '../shared/ownership.js';
import { stampTags, type Stamp } from '../shared/stamp.js';

export { healthIssues, MAX_REVISIONS };

export interface DesiredProfile {
  ref: GroupRef;
  spec: EksFargateSpec;
  /** The spec's role, or the one instance-manager created for the group. */
  podExecutionRoleArn: string;
  /** Who applies (shared/stamp.ts): stamped on the profile; while a newer generation's profile exists, nothing is done. */
  stamp?: Stamp;
}

export type ProfileAction = 'create' | 'update-tags' | 'delete' | 'wait' | 'none';

export interface ProfileDecision {
  action: ProfileAction;
  profileName?: string;
  waitFor?: 'active' | 'gone';
  /** The decision in words, as the execution history shows it. */
  summary: string;
  /** The same once done, for the Ready message. Only for changes. */
  done?: string;
  create?: CreateFargateProfileCommandInput;
  updateTags?: TagChange;
  observed?: ObservedResources;
}

const nameOf = (p: FargateProfile) => p.fargateProfileName ?? '';
const status = (p: FargateProfile) => p.status ?? 'UNKNOWN';
const IN_FLIGHT = new Set(['CREATING', 'DELETING']);

/** name → revision for every name instance-manager can derive for this group's profiles. */
export function revisionsByName(ref: GroupRef, max = MAX_REVISIONS): Map<string, number> {
  return revisionsOf(ref, fargateProfileName, max);
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing

function canonicalSelectors(selectors: { namespace?: string; labels?: Record<string, string> }[] | undefined): string[] {
  return (selectors ?? [])
    .map((s) => JSON.stringify([s.namespace ?? '', Object.entries(s.labels ?? {}).sort(([a], [b]) => a.localeCompare(b))]))
    .sort();
}

export function describeSelectors(selectors: { namespace?: string; labels?: Record<string, string> }[] | undefined): string {
  return (selectors ?? [])
    .map((s) => {
      const labels = Object.entries(s.labels ?? {});
      return labels.length ? `${s.namespace} {${labels.map(([k, v]) => `${k}=${v}`).join(', ')}}` : `${s.namespace}`;
    })
    .join('; ');
}

export interface ProfileChange {
  field: 'selectors' | 'subnets' | 'podExecutionRoleArn';
  from: string;
  to: string;
}

/** What differs between the spec and a profile, among the things AWS cannot change. */
export function profileChanges(d: DesiredProfile, p: FargateProfile): ProfileChange[] {
  const changes: ProfileChange[] = [];
  if (JSON.stringify(canonicalSelectors(d.spec.selectors)) !== JSON.stringify(canonicalSelectors(p.selectors))) {
    changes.push({ field: 'selectors', from: describeSelectors(p.selectors), to: describeSelectors(d.spec.selectors) });
  }
  if (JSON.stringify([...d.spec.subnets].sort()) !== JSON.stringify([...(p.subnets ?? [])].sort())) {
    changes.push({ field: 'subnets', from: (p.subnets ?? []).join(', ') || 'none', to: d.spec.subnets.join(', ') });
  }
  if (d.podExecutionRoleArn !== p.podExecutionRoleArn) {
    changes.push({ field: 'podExecutionRoleArn', from: p.podExecutionRoleArn ?? 'none', to: d.podExecutionRoleArn });
  }
  return changes;
}

export const describeProfileChanges = (changes: ProfileChange[]) => changes.map((c) => `${c.field} (${c.from} → ${c.to})`).join(', ');

/** The profile's tags: the user's, then ours. */
export function profileTags(d: DesiredProfile): Tags {
  return groupTags(d.spec.tags, d.ref);
}

/** The user's tag changes in words; the stamp is written along (shared/eks-resource-plan.ts stampedTagChanges). */
export function tagUpdate(d: DesiredProfile, p: FargateProfile): { tag: Tags; untag: string[]; changes: string[] } {
  return stampedTagChanges(profileTags(d), p.tags, d.stamp);
}

export function selectorsRequest(selectors: FargateSelector[]): CreateFargateProfileCommandInput['selectors'] {
  return selectors.map((s) => ({ namespace: s.namespace, ...(Object.keys(s.labels).length ? { labels: s.labels } : {}) }));
}

export function createRequest(d: DesiredProfile, name: string, idempotencyKey: string): CreateFargateProfileCommandInput {
  return {
    clusterName: d.spec.clusterName,
    fargateProfileName: name,
    podExecutionRoleArn: d.podExecutionRoleArn,
    subnets: d.spec.subnets,
    selectors: selectorsRequest(d.spec.selectors),
    tags: { ...profileTags(d), ...(d.stamp ? stampTags(d.stamp) : {}) },
    clientRequestToken: shortHash('create-fargate-profile', idempotencyKey, name),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions

const WORDS: DecisionWords<'profileName'> = { noun: 'Fargate profile', nameKey: 'profileName' };
const wait = (p: FargateProfile, waitFor: 'active' | 'gone'): ProfileDecision => waitDecision(WORDS, nameOf(p), waitFor, `it is ${status(p)}`);

/** AWS allows one profile per cluster in CREATING or DELETING: say which one blocks, and retry later. */
function busy(cluster: string, inFlight: FargateProfile[], what: string): never {
  const list = inFlight.map((p) => `${nameOf(p)} (${status(p)})`).join(', ');
  throw new ResourceBusyError(
    `Cannot ${what} yet: AWS allows one Fargate profile per cluster to be created or deleted at a time, and cluster ${cluster} has ${list}; retrying`,
  );
}

const deleteFailed = (p: FargateProfile): never => failedToDelete(WORDS.noun, nameOf(p), p);
const deleteDecision = (p: FargateProfile, why: string): ProfileDecision => deleteOf(WORDS, nameOf(p), why);

export interface ApplyContext {
  idempotencyKey: string;
}

/**
 * The next step towards the spec, given every profile of the cluster (described). The target is a profile of the
 * group with the desired name and the spec's selectors, subnets and role; tags are fixed on it in place.
 */
export function planApply(d: DesiredProfile, cluster: FargateProfile[], ctx: ApplyContext): ProfileDecision {
  const revisions = revisionsByName(d.ref);
  const fixed = d.spec.profileName;
  const isDesiredName = (name: string) => (fixed ? name === fixed : revisions.has(name));
  const revisionOf = (p: FargateProfile) => revisions.get(nameOf(p)) ?? -1;
  const owned = cluster.filter((p) => ownedBy(p.tags, d.ref)).sort((a, b) => revisionOf(b) - revisionOf(a));
  // A profile a newer generation of this group wrote means this execution is out of date: no delete, no re-create.
  refuseOlderWrites(WORDS.noun, owned, nameOf, d.stamp);
  const inFlight = cluster.filter((p) => IN_FLIGHT.has(status(p)));
  const live = owned.filter((p) => status(p) === 'ACTIVE' || status(p) === 'CREATING');
  const target = live.find((p) => isDesiredName(nameOf(p)) && profileChanges(d, p).length === 0);
  const clusterName = d.spec.clusterName;

  if (target) {
    const name = nameOf(target);
    if (status(target) === 'CREATING') return wait(target, 'active');
    const retag = tagDecision(WORDS, name, target.fargateProfileArn ?? '', tagUpdate(d, target), d.stamp);
    if (retag) return retag;
    const others = owned.filter((p) => p !== target);
    const deleting = others.find((p) => status(p) === 'DELETING');
    if (deleting) return wait(deleting, 'gone');
    const failedDelete = others.find((p) => status(p) === 'DELETE_FAILED');
    if (failedDelete) deleteFailed(failedDelete);
    const old = others[0];
    if (old) {
      if (status(old) === 'CREATING') return wait(old, 'active');
      if (inFlight.length) busy(clusterName, inFlight, `delete Fargate profile ${nameOf(old)}`);
      return deleteDecision(old, status(old) === 'CREATE_FAILED' ? ', which EKS failed to create' : `, replaced by ${name}`);
    }
    return {
      action: 'none',
      profileName: name,
      summary: `Fargate profile ${name} matches the spec`,
      observed: { fargateProfileName: name, podExecutionRoleArn: d.podExecutionRoleArn },
    };
  }

  const ours = owned.find((p) => IN_FLIGHT.has(status(p)));
  if (ours) return wait(ours, status(ours) === 'CREATING' ? 'active' : 'gone');
  const failedDelete = owned.find((p) => status(p) === 'DELETE_FAILED');
  if (failedDelete) deleteFailed(failedDelete);

  const failedCreate = owned.find((p) => status(p) === 'CREATE_FAILED');
  if (failedCreate) {
    if (inFlight.length) busy(clusterName, inFlight, `delete Fargate profile ${nameOf(failedCreate)}`);
    const issues = healthIssues(failedCreate);
    return deleteDecision(failedCreate, `, which EKS failed to create${issues ? ` (${issues})` : ''}, to create it again`);
  }

  const nextRevision = Math.max(-1, ...owned.map(revisionOf)) + 1;
  const name = fixed ?? fargateProfileName(d.ref, nextRevision);
  const occupant = cluster.find((p) => nameOf(p) === name);
  if (occupant && !ownedBy(occupant.tags, d.ref)) {
    throw new NameConflictError(
      `A Fargate profile named ${name} already exists in cluster ${clusterName} and was not created by instance-manager for this group. ` +
        (fixed
          ? 'Choose another spec.eks-fargate.fargateProfileName, or leave it out to let instance-manager name the profile.'
          : 'Delete or rename that profile.'),
    );
  }
  if (occupant) {
    // Same name, different content: a name the user fixed can only be reused once the old profile is gone.
    if (inFlight.length) busy(clusterName, inFlight, `replace Fargate profile ${name}`);
    const changes = describeProfileChanges(profileChanges(d, occupant));
    return deleteDecision(occupant, ` to create it again with the new spec (AWS cannot change a profile): ${changes}`);
  }
  if (inFlight.length) busy(clusterName, inFlight, `create Fargate profile ${name}`);
  const current = live[0];
  const why = current ? ` to replace ${nameOf(current)} (AWS cannot change a profile): ${describeProfileChanges(profileChanges(d, current))}` : '';
  return {
    action: 'create',
    profileName: name,
    waitFor: 'active',
    summary: `Creating Fargate profile ${name}${why}`,
    done: `Created Fargate profile ${name}${why}`,
    create: createRequest(d, name, ctx.idempotencyKey),
  };
}

/**
 * The next step of a delete: every profile of the group goes, one at a time across the cluster. With the deleting
 * group's uid, a profile stamped by another owner (a group recreated under the same name) is left alone.
 */
export function planDelete(ref: GroupRef, cluster: FargateProfile[], ownerUid?: string): ProfileDecision {
  const { deletable: owned, leftAlone } = deletableByOwner(cluster.filter((p) => ownedBy(p.tags, ref)), (p) => p.tags, ownerUid);
  const inFlight = cluster.filter((p) => IN_FLIGHT.has(status(p)));
  const creating = owned.find((p) => status(p) === 'CREATING');
  if (creating) return wait(creating, 'active');
  const deleting = owned.find((p) => status(p) === 'DELETING');
  if (deleting) return wait(deleting, 'gone');
  const deletable = owned[0];
  if (deletable) {
    if (inFlight.length) busy(ref.clusterName, inFlight, `delete Fargate profile ${nameOf(deletable)}`);
    return deleteDecision(deletable, '');
  }
  return nothingLeft(WORDS.noun, leftAlone.map(nameOf));
}
