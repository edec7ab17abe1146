// What a managed node group needs next, decided from the spec and what EKS reports. Pure: no AWS calls, so every
// decision (create, update in place, replace, delete, wait) is unit-tested on plain objects. The pieces it decides
// from: node-group.ts (the shapes, requests and status), replace-fields.ts (what needs a new node group) and
// in-place.ts (what EKS changes in place).
import { NameConflictError, ReplacementRequiredError } from '../../core/errors/index.js';
import { nodeGroupName } from '../../core/names/index.js';
import {
  deletableByOwner,
  deleteDecision,
  deleteFailed as failedToDelete,
  nothingLeft,
  refuseOlderWrites,
  tagDecision,
  waitDecision,
  type DecisionWords,
} from '../shared/eks-resource-plan.js';
import { configUpdate, tagUpdate, versionUpdate } from './in-place.js';
import {
  createRequest,
  degradedOf,
  healthIssues,
  nameOf,
  observedOf,
  status,
  type DesiredNodeGroup,
  type NodeGroupDecision,
  type OwnedNodeGroup,
} from './node-group.js';
import { describeChanges, replaceFieldChanges, replacementMessage } from './replace-fields.js';

export * from './node-group.js';
export * from './replace-fields.js';
export * from './in-place.js';

const WORDS: DecisionWords<'nodeGroupName'> = { noun: 'node group', nameKey: 'nodeGroupName' };
const wait = (o: OwnedNodeGroup, waitFor: 'active' | 'gone', why: string): NodeGroupDecision => waitDecision(WORDS, nameOf(o), waitFor, why);
const deleteFailed = (o: OwnedNodeGroup): never => failedToDelete(WORDS.noun, nameOf(o), o.nodegroup);

export interface ApplyContext {
  /** Names that look like this group's but whose tags say otherwise. */
  foreign: string[];
  /** Keeps create requests idempotent across retries of the same execution. */
  idempotencyKey: string;
}

/**
 * The next step towards the spec. The target is the newest node group created with the spec's replace fields;
 * in-place changes go to it one API call at a time (config, then version, then tags); once it is active, every
 * other node group of the group is deleted. Without a target, a node group is created: a replacement needs
 * spec.strategy.replace, otherwise ReplacementRequiredError says what to do.
 */
export function planApply(d: DesiredNodeGroup, owned: OwnedNodeGroup[], ctx: ApplyContext): NodeGroupDecision {
  // A node group a newer generation of this group wrote means this execution is out of date: it changes nothing.
  refuseOlderWrites(WORDS.noun, owned.map((o) => o.nodegroup), (ng) => ng.nodegroupName ?? '', d.stamp);
  const newestFirst = [...owned].sort((a, b) => b.revision - a.revision);
  const live = newestFirst.filter((o) => !['DELETING', 'CREATE_FAILED', 'DELETE_FAILED'].includes(status(o)));
  const target = live.find((o) => replaceFieldChanges(d, o.nodegroup).length === 0);

  if (target) {
    const name = nameOf(target);
    const st = status(target);
    if (st === 'CREATING' || st === 'UPDATING') return wait(target, 'active', `it is ${st}`);
    const config = configUpdate(d.spec, target.nodegroup);
    if (config.input) {
      return {
        action: 'update-config',
        nodeGroupName: name,
        waitFor: 'active',
        summary: `Updating node group ${name}: ${config.changes.join('; ')}`,
        done: `Updated node group ${name}: ${config.changes.join('; ')}`,
        updateConfig: { clusterName: d.spec.clusterName, nodegroupName: name, ...config.input },
      };
    }
    const version = versionUpdate(d.spec, target.nodegroup);
    if (version.input) {
      return {
        action: 'update-version',
        nodeGroupName: name,
        waitFor: 'active',
        summary: `Updating node group ${name}: ${version.changes.join('; ')}`,
        done: `Updated node group ${name}: ${version.changes.join('; ')}`,
        updateVersion: { clusterName: d.spec.clusterName, nodegroupName: name, ...version.input },
      };
    }
    const retag = tagDecision(WORDS, name, target.nodegroup.nodegroupArn ?? '', tagUpdate(d, target.nodegroup), d.stamp);
    if (retag) return retag;
    const others = newestFirst.filter((o) => o !== target);
    const deleting = others.find((o) => status(o) === 'DELETING');
    if (deleting) return wait(deleting, 'gone', 'it is DELETING');
    const failedDelete = others.find((o) => status(o) === 'DELETE_FAILED');
    if (failedDelete) deleteFailed(failedDelete);
    const old = others[0];
    if (old) {
      const busy = status(old) === 'CREATING' || status(old) === 'UPDATING';
      if (busy) return wait(old, 'active', `it is ${status(old)}; it is deleted once that ends`);
      return deleteDecision(WORDS, nameOf(old), status(old) === 'CREATE_FAILED' ? ', which EKS failed to create' : `, replaced by ${name}`);
    }
    return {
      action: 'none',
      nodeGroupName: name,
      summary: `Node group ${name} matches the spec`,
      observed: observedOf(target.nodegroup),
      ...(degradedOf(target.nodegroup) ? { degraded: degradedOf(target.nodegroup)! } : {}),
    };
  }

  // No node group has the spec's replace fields yet.
  const busy = newestFirst.find((o) => ['CREATING', 'UPDATING', 'DELETING'].includes(status(o)));
  if (busy) return wait(busy, status(busy) === 'DELETING' ? 'gone' : 'active', `it is ${status(busy)}`);
  const failedDelete = newestFirst.find((o) => status(o) === 'DELETE_FAILED');
  if (failedDelete) deleteFailed(failedDelete);
  const failedCreate = newestFirst.find((o) => status(o) === 'CREATE_FAILED');
  if (failedCreate) {
    const issues = healthIssues(failedCreate.nodegroup);
    return deleteDecision(WORDS, nameOf(failedCreate), `, which EKS failed to create${issues ? ` (${issues})` : ''}, to create it again`);
  }
  const revision = owned.length ? Math.max(...owned.map((o) => o.revision)) + 1 : 0;
  const name = nodeGroupName(d.ref, revision);
  if (ctx.foreign.includes(name)) {
    throw new NameConflictError(
      `Node group ${name} exists in cluster ${d.spec.clusterName} but was not created by instance-manager for this group; delete or rename it`,
    );
  }
  const current = live[0];
  if (current) {
    const changes = replaceFieldChanges(d, current.nodegroup);
    if (!d.spec.replace) throw new ReplacementRequiredError(replacementMessage(nameOf(current), changes));
    return {
      action: 'create',
      nodeGroupName: name,
      waitFor: 'active',
      summary: `Creating node group ${name} to replace ${nameOf(current)}: ${describeChanges(changes)}`,
      done: `Created node group ${name} to replace ${nameOf(current)}: ${describeChanges(changes)}`,
      create: createRequest(d, name, ctx.idempotencyKey, current.nodegroup.scalingConfig?.desiredSize),
    };
  }
  return {
    action: 'create',
    nodeGroupName: name,
    waitFor: 'active',
    summary: `Creating node group ${name}`,
    done: `Created node group ${name}`,
    create: createRequest(d, name, ctx.idempotencyKey),
  };
}

/**
 * The next step of a delete: wait for anything in progress, then delete every node group of the group. With the
 * deleting group's uid, a node group stamped by another owner (a group recreated under the same name) is left alone.
 */
export function planDelete(all: OwnedNodeGroup[], ownerUid?: string): NodeGroupDecision {
  const { deletable: owned, leftAlone } = deletableByOwner(all, (o) => o.nodegroup.tags, ownerUid);
  const newestFirst = [...owned].sort((a, b) => b.revision - a.revision);
  const creating = newestFirst.find((o) => status(o) === 'CREATING' || status(o) === 'UPDATING');
  if (creating) return wait(creating, 'active', `it is ${status(creating)}; it is deleted once that ends`);
  const deletable = newestFirst.find((o) => status(o) !== 'DELETING');
  if (deletable) {
    return deleteDecision(WORDS, nameOf(deletable), '');
  }
  const deleting = newestFirst[0];
  if (deleting) return wait(deleting, 'gone', 'it is DELETING');
  return nothingLeft(WORDS.noun, leftAlone.map(nameOf));
}

