// Re-reading the InstanceGroup at the start of a workflow (and before each change): whether this execution still
// has work to do, and the spec it works on. Provisioner-neutral: every workflow decides the same way.
import { InvalidSpecError } from '../../core/errors/index.js';
import type { ClusterAccess } from '../../core/kube/access.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import type { GroupRef } from '../../core/names/index.js';
import { specOf } from '../../core/spec/from-object.js';
import { awsRegion } from '../../core/aws/config.js';
import { partitionOf } from '../../core/aws/partition.js';
import { normalizeSpec } from '../../core/spec/normalize.js';
import type { InstanceGroup, NormalizedSpec } from '../../core/spec/types.js';
import type { WorkflowState } from './workflow-state.js';

/**
 * - current: the object is at the change's generation (or the change is a delete of this object): go on;
 * - superseded: a newer generation exists; its own execution applies it;
 * - deleting: an apply for an object that is being deleted; the delete workflow owns it now;
 * - gone: the object no longer exists or was recreated under the same name (another uid);
 * - not-deleting: a delete for an object that is not being deleted (a stale event).
 */
export type Outcome = 'current' | 'superseded' | 'deleting' | 'gone' | 'not-deleting';

export interface LoadedGroup {
  outcome: Outcome;
  latestGeneration: number;
  /** The object, when it still exists under the change's uid. */
  object?: InstanceGroup;
}

export function outcomeOf(change: WorkflowState['change'], object: InstanceGroup | undefined, recreated = false): Outcome {
  // A delete whose uid no longer matches the object of that name is stale (replayed, or late): the object there now
  // is another group, whose resources share the names.
  if (change.operation === 'delete') return recreated ? 'not-deleting' : !object || object.metadata.deletionTimestamp ? 'current' : 'not-deleting';
  if (!object) return 'gone';
  if (object.metadata.deletionTimestamp) return 'deleting';
  if (object.metadata.generation > change.group.generation) return 'superseded';
  return 'current';
}

export async function loadGroup(state: WorkflowState, access: ClusterAccess): Promise<LoadedGroup> {
  const { change } = state;
  const api = new InstanceGroupApi(await access.connect(change.cluster));
  const found = await api.get(change.group);
  const object = found && found.metadata.uid === change.group.uid ? found : undefined;
  return {
    outcome: outcomeOf(change, object, found !== undefined && !object),
    latestGeneration: object?.metadata.generation ?? change.group.generation,
    ...(object ? { object } : {}),
  };
}

/**
 * The spec this execution works on: the object's (read through specOf, which recovers the Fargate selector
 * shorthand that client-side kubectl apply drops), or the change's once the object is gone.
 */
export function rawSpecOf(state: WorkflowState, loaded: LoadedGroup): unknown {
  return loaded.object ? specOf(loaded.object) : state.change.spec;
}

/** Normalises for one provisioner; a spec of another provisioner is an invalid spec for this workflow. */
export function normalizeFor<P extends NormalizedSpec['provisioner']>(
  raw: unknown,
  state: WorkflowState,
  provisioner: P,
): Extract<NormalizedSpec, { provisioner: P }> {
  const spec = normalizeSpec(raw, state.change.cluster.defaults ?? {}, { partition: partitionOf(awsRegion()) });
  if (spec.provisioner !== provisioner) {
    throw new InvalidSpecError([{ field: 'spec.provisioner', message: `is ${spec.provisioner}; this workflow handles ${provisioner}` }]);
  }
  return spec as Extract<NormalizedSpec, { provisioner: P }>;
}

/**
 * Normalises the spec; only an apply that is going ahead must stop on an invalid spec. A delete (or an apply that
 * stops anyway) goes on with `lenient`, which keeps only what names the AWS resources.
 */
export function specForOutcome<S>(state: WorkflowState, outcome: Outcome, normalize: () => S, lenient: () => S): S {
  try {
    return normalize();
  } catch (error) {
    if (state.change.operation === 'apply' && outcome === 'current') throw error;
    return lenient();
  }
}

/** The EKS cluster a spec that no longer validates most likely named. */
export function lenientClusterName(section: Record<string, unknown> | undefined, state: WorkflowState): string {
  const given = section?.clusterName;
  return typeof given === 'string' && given ? given : (state.change.cluster.defaults?.clusterName ?? state.change.cluster.name);
}

export const refOf = (state: WorkflowState, clusterName: string): GroupRef => ({
  clusterName,
  namespace: state.change.group.namespace,
  name: state.change.group.name,
});

/** What every provisioner's view of the re-read group starts with. */
export interface GroupRead<S> {
  outcome: Outcome;
  latestGeneration: number;
  ref: GroupRef;
  spec: S;
}

/**
 * Re-reads the group for one provisioner: loadGroup, then the spec (normalised, or `lenient` where specForOutcome
 * allows it) and the ref it names, with the object when it still exists. Each provisioner's view builds on this.
 */
export async function readGroupFor<P extends NormalizedSpec['provisioner']>(
  state: WorkflowState,
  access: ClusterAccess,
  provisioner: P,
  lenient: (raw: unknown, state: WorkflowState) => Extract<NormalizedSpec, { provisioner: P }>,
): Promise<GroupRead<Extract<NormalizedSpec, { provisioner: P }>> & Pick<LoadedGroup, 'object'>> {
  const loaded = await loadGroup(state, access);
  const raw = rawSpecOf(state, loaded);
  const spec = specForOutcome(
    state,
    loaded.outcome,
    () => normalizeFor(raw, state, provisioner),
    () => lenient(raw, state),
  );
  return { ...loaded, ref: refOf(state, spec.clusterName), spec };
}

/** Why an apply that re-read its group stops early, in words for the execution's output. */
export function stopSummary(outcome: 'superseded' | 'deleting' | 'gone', latestGeneration: number, generation: number): string {
  if (outcome === 'superseded') return `Stopping: generation ${latestGeneration} replaced generation ${generation}`;
  return outcome === 'deleting' ? 'Stopping: the group is being deleted' : 'Stopping: the group no longer exists';
}

/** The plan "Decide Next Change" returns when an apply's group is no longer wanted: the loop ends there. */
export interface StopPlan {
  action: 'superseded' | 'deleting' | 'gone';
  pass: number;
  history: string[];
  latestGeneration: number;
  report?: { phase: 'superseded'; latestGeneration: number };
  summary: string;
}

/**
 * An apply re-reads its group before each decision: the plan that stops it when a newer generation replaced it, or
 * the group is being deleted or gone; undefined when it goes on (and always for a delete).
 */
export async function stopPlanIfUnwanted(
  input: WorkflowState & { purpose: 'apply' | 'delete' },
  access: ClusterAccess,
  pass: number,
  history: string[],
): Promise<StopPlan | undefined> {
  if (input.purpose !== 'apply') return undefined;
  const loaded = await loadGroup(input, access);
  if (loaded.outcome !== 'superseded' && loaded.outcome !== 'deleting' && loaded.outcome !== 'gone') return undefined;
  return {
    action: loaded.outcome,
    pass,
    history,
    latestGeneration: loaded.latestGeneration,
    ...(loaded.outcome === 'superseded' ? { report: { phase: 'superseded' as const, latestGeneration: loaded.latestGeneration } } : {}),
    summary: stopSummary(loaded.outcome, loaded.latestGeneration, input.change.group.generation),
  };
}
