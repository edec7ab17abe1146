// eks-fargate's resource manager: a group's Fargate profiles. The EKS calls both kinds of resource share are in
// functions/shared/eks-resource.ts; what is the profile's own is here: every profile of the cluster is read (at
// most 10 per cluster in AWS), because AWS lets only one of them be created or deleted at a time.
import {
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  ListFargateProfilesCommand,
  type CreateFargateProfileCommandInput,
  type EKSClient,
  type FargateProfile,
} from '@aws-sdk/client-eks';
import { NameConflictError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import * as eksResource from '../shared/eks-resource.js';
import type { CreateOptions, EksResourceKind, ResourceProgress, WriteGuard } from '../shared/eks-resource.js';
import { ownedBy } from '../shared/ownership.js';
import type { Stamp } from '../shared/stamp.js';
import type { Intent, ResourceManager, Target } from '../shared/resource-manager.js';
import { planApply, planDelete, type DesiredProfile, type ProfileDecision } from './plan.js';

export type { CreateOptions, WriteGuard };

export interface ClusterProfiles {
  profiles: FargateProfile[];
  clusterMissing: boolean;
}

export type ProfileProgress = ResourceProgress<'profileName'>;

const PROFILE: EksResourceKind<FargateProfile, CreateFargateProfileCommandInput, 'profileName'> = {
  noun: 'Fargate profile',
  plural: 'Fargate profiles',
  shortNoun: 'profile',
  title: 'Fargate Profile',
  roleNoun: 'pod execution role',
  nameKey: 'profileName',
  describe: async (eks, clusterName, name) =>
    (await eks.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName: name }))).fargateProfile,
  nameOf: (p) => p.fargateProfileName,
  arnOf: (p) => p.fargateProfileArn,
  nameOfRequest: (input) => input.fargateProfileName,
  roleOfRequest: (input) => input.podExecutionRoleArn,
  settledActive: (status) => status === 'ACTIVE',
  conflict: (name, clusterName, cause) =>
    new NameConflictError(
      `A Fargate profile named ${name} already exists in cluster ${clusterName} and was not created by instance-manager for this group`,
      { cause },
    ),
};

const listProfiles: eksResource.ListPage = async (eks, clusterName, nextToken) => {
  const page = await eks.send(new ListFargateProfilesCommand({ clusterName, ...(nextToken ? { nextToken } : {}) }));
  return { names: page.fargateProfileNames ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};

export function describeProfile(eks: EKSClient, clusterName: string, name: string): Promise<FargateProfile | undefined> {
  return eksResource.describeResource(PROFILE, eks, clusterName, name);
}

/** Every profile of the cluster, described: the group's own, and the others that count for AWS's one-at-a-time rule. */
export async function clusterProfiles(eks: EKSClient, clusterName: string): Promise<ClusterProfiles> {
  const { names, clusterMissing } = await eksResource.listNames(PROFILE, listProfiles, eks, clusterName);
  const described = await Promise.all(names.map((name) => describeProfile(eks, clusterName, name)));
  return { profiles: described.filter((p): p is FargateProfile => !!p), clusterMissing };
}

export function progressOf(p: FargateProfile | undefined, name: string, waitFor: 'active' | 'gone', polls: number): ProfileProgress {
  return eksResource.progressOf(PROFILE, p, name, waitFor, polls);
}

export function checkProfile(eks: EKSClient, clusterName: string, name: string, waitFor: 'active' | 'gone', polls: number, maxPolls: number) {
  return eksResource.checkResource(PROFILE, eks, { clusterName, name, waitFor }, polls, maxPolls);
}

/** The group's profiles among the cluster's: their stamps say which generation last wrote them. */
export const ownProfiles = (found: ClusterProfiles, ref: GroupRef): FargateProfile[] => found.profiles.filter((p) => ownedBy(p.tags, ref));

/**
 * Sends CreateFargateProfile. With a stamp, the cluster's profiles are read right before: when a newer generation
 * of the same owner already wrote one of the group's, this older execution creates nothing (NoLongerWantedError).
 */
export async function createProfile(eks: EKSClient, ref: GroupRef, decision: ProfileDecision, options: CreateOptions): Promise<ProfileProgress> {
  return eksResource.createResource(
    PROFILE,
    async (client, input) => (await client.send(new CreateFargateProfileCommand(input))).fargateProfile,
    eks,
    ref,
    decision.create,
    options,
    async () => ownProfiles(await clusterProfiles(eks, ref.clusterName), ref),
  );
}

/**
 * Tags are the one thing AWS changes on a profile in place. With a stamp, the profile is read right before (a newer
 * generation's profile is not written: NoLongerWantedError) and carries this generation afterwards.
 */
export async function tagProfile(eks: EKSClient, clusterName: string, decision: ProfileDecision, stamp?: Stamp): Promise<ProfileProgress> {
  const name = decision.profileName ?? '';
  const write = () => eksResource.retagResource(PROFILE, eks, name, decision.updateTags!);
  return eksResource.updateResource(PROFILE, eks, { clusterName, name }, write, stamp, decision.updateTags?.tag);
}

/** Starts deleting a profile; with a guard, not one a newer generation wrote or another owner stamped. */
export function deleteProfile(eks: EKSClient, clusterName: string, name: string, guard?: WriteGuard): Promise<ProfileProgress> {
  return eksResource.deleteResource(
    PROFILE,
    (client, cluster, fargateProfileName) => client.send(new DeleteFargateProfileCommand({ clusterName: cluster, fargateProfileName })),
    eks,
    clusterName,
    name,
    guard,
  );
}

export type ProfileManager = ResourceManager<DesiredProfile, ClusterProfiles, ProfileDecision, ProfileProgress, CreateOptions>;

/** The manager's plan: the next step towards the intent, from every profile of the cluster. Pure. */
export function planProfiles(intent: Intent<DesiredProfile>, found: ClusterProfiles): ProfileDecision {
  return intent.purpose === 'delete'
    ? planDelete(intent.ref, found.profiles, intent.ownerUid)
    : planApply(intent.desired, found.profiles, { idempotencyKey: intent.idempotencyKey });
}

/** The manager's progress: one look at the profile the last action concerned. */
export function profileProgress(eks: EKSClient, ref: GroupRef, target: Target, polls: number, maxPolls: number): Promise<ProfileProgress> {
  return checkProfile(eks, ref.clusterName, target.name, target.waitFor, polls, maxPolls);
}

/**
 * The resource manager of one group's Fargate profiles, composed of the operations above. A step imports the one
 * operation it runs instead: this object reaches every EKS command, so a bundle holding it would need them all.
 */
export function profileManager(eks: EKSClient, ref: GroupRef): ProfileManager {
  return {
    find: () => clusterProfiles(eks, ref.clusterName),
    plan: planProfiles,
    create: (decision, options) => createProfile(eks, ref, decision, options),
    update: (decision) => tagProfile(eks, ref.clusterName, decision),
    delete: (decision) => deleteProfile(eks, ref.clusterName, decision.profileName ?? ''),
    progress: (target, polls, maxPolls) => profileProgress(eks, ref, target, polls, maxPolls),
  };
}
