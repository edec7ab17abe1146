// Which of a group's instances are outdated and how they are rotated in batches. Pure, so every decision is
// unit-tested without AWS or a cluster.
import { resolveMaxUnavailable } from '../../../core/spec/normalize.js';
import type { RollingUpdatePolicy } from '../../../core/spec/types.js';

export interface ScalingGroupFacts {
  name: string;
  desired: number;
  maxSize: number;
  /** The launch template version the group launches (after the rotation's sync: the latest). */
  version: string;
  /** The group's instances with the launch template version each was launched from. */
  instances: { id: string; zone: string; version: string | undefined }[];
}

export interface RotationBatch {
  /** 1-based, for messages: "batch 2 of 4". */
  index: number;
  total: number;
  instanceIds: string[];
  /** Nodes replaced before this batch starts. */
  replacedBefore: number;
  nodesTotal: number;
}

export interface RotationPlan {
  needed: boolean;
  scalingGroupName: string;
  latestVersion: string;
  outdated: string[];
  batches: RotationBatch[];
  settings: RotationSettings;
  message: string;
}

export interface RotationSettings {
  batchSize: number;
  pauseSeconds: number;
  drainTimeoutSeconds: number;
  drainTimeoutAction: 'stop' | 'force';
}

/** An instance is outdated when it was launched from another launch template version than the group's. */
export function outdatedInstances(group: ScalingGroupFacts): string[] {
  return group.instances.filter((i) => i.version !== group.version).map((i) => i.id);
}

export function planRotation(group: ScalingGroupFacts, policy: RollingUpdatePolicy, pauseSeconds: number): RotationPlan {
  const outdated = outdatedInstances(group).sort();
  const batchSize = Math.min(
    resolveMaxUnavailable(policy.maxUnavailable, Math.max(group.desired, 1)),
    inServiceCap(group.maxSize, policy.minInstancesInService),
    Math.max(outdated.length, 1),
  );
  const total = Math.ceil(outdated.length / batchSize);
  const batches: RotationBatch[] = [];
  for (let i = 0; i < total; i++) {
    batches.push({
      index: i + 1,
      total,
      instanceIds: outdated.slice(i * batchSize, (i + 1) * batchSize),
      replacedBefore: i * batchSize,
      nodesTotal: outdated.length,
    });
  }
  const settings = { batchSize, pauseSeconds, drainTimeoutSeconds: policy.drainTimeoutSeconds, drainTimeoutAction: policy.drainTimeoutAction };
  return {
    needed: outdated.length > 0,
    scalingGroupName: group.name,
    latestVersion: group.version,
    outdated,
    batches,
    settings,
    message: outdated.length
      ? `rotating ${outdated.length} outdated nodes in ${total} batches of up to ${batchSize} (launch template version ${group.version})`
      : 'no outdated nodes',
  };
}

/**
 * The largest batch that keeps minInstancesInService nodes in service while it drains, surge counted: a batch of n
 * surges min(n, maxSize - desired), so min(desired, maxSize - n) nodes serve; n <= maxSize - minInstancesInService
 * keeps that at or above the minimum whenever the group is at least that big. At least 1, or nothing would rotate.
 */
export function inServiceCap(maxSize: number, minInstancesInService: number): number {
  return Math.max(1, maxSize - minInstancesInService);
}

/** Replacements launched ahead of the drain: as many as maxSize allows, up to the batch size. */
export function surgeCount(desired: number, maxSize: number, batchLength: number): number {
  return Math.max(0, Math.min(batchLength, maxSize - desired));
}

export function progressMessage(batch: RotationBatch, replacedNow: number): string {
  return `rotating: batch ${batch.index} of ${batch.total}, ${batch.replacedBefore + replacedNow} of ${batch.nodesTotal} nodes replaced`;
}
