// EKS calls on Fargate profiles: read every profile of a cluster (at most 10 per cluster in AWS), create, tag,
// delete, and look at progress.
import {
  CreateFargateProfileCommand,
  DeleteFargateProfileCommand,
  DescribeFargateProfileCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListFargateProfilesCommand,
  type EKSClient,
  type FargateProfile,
} from '@aws-sdk/client-eks';
import { NameConflictError, ProvisioningFailedError, RetryableError, TerminalError } from '../../core/errors/index.js';
import type { GroupRef } from '../../core/names/index.js';
import { awsCall, awsErrorMessage, awsErrorName, awsFailure, awsFind, isAlreadyExists, isNotFound } from '../eks-managed/aws-errors.js';
import { ownedBy } from '../eks-managed/iam-role.js';
import { describeCluster } from '../eks-managed/references.js';
import { healthIssues, type ProfileDecision } from './plan.js';
import { waitSecondsAfter } from '../shared/wait-interval.js';

export interface ClusterProfiles {
  profiles: FargateProfile[];
  clusterMissing: boolean;
}

export async function describeProfile(eks: EKSClient, clusterName: string, name: string): Promise<FargateProfile | undefined> {
  const out = await awsFind(`Reading Fargate profile ${name}`, () =>
    eks.send(new DescribeFargateProfileCommand({ clusterName, fargateProfileName: name })),
  );
  return out?.fargateProfile;
}

/** Every profile of the cluster, described: the group's own, and the others that count for AWS's one-at-a-time rule. */
export async function clusterProfiles(eks: EKSClient, clusterName: string): Promise<ClusterProfiles> {
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new ListFargateProfilesCommand({ clusterName, ...(nextToken ? { nextToken } : {}) }));
      names.push(...(page.fargateProfileNames ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (isNotFound(error) || !(await describeCluster(eks, clusterName))) return { profiles: [], clusterMissing: true };
    throw awsFailure(error, `Listing the Fargate profiles of cluster ${clusterName}`);
  }
  const described = await Promise.all(names.map((name) => describeProfile(eks, clusterName, name)));
  return { profiles: described.filter((p): p is FargateProfile => !!p), clusterMissing: false };
}

export interface ProfileProgress {
  profileName: string;
  waitFor: 'active' | 'gone';
  status: string;
  settled: boolean;
  polls: number;
  /** How long the Wait state pauses before the next check (grows with polls). */
  waitSeconds: number;
}

export function progressOf(p: FargateProfile | undefined, name: string, waitFor: 'active' | 'gone', polls: number): ProfileProgress {
  if (!p) return { profileName: name, waitFor, status: 'GONE', settled: true, polls, waitSeconds: waitSecondsAfter(polls) };
  const status = p.status ?? 'UNKNOWN';
  if (status === 'CREATE_FAILED' && waitFor === 'active') {
    const issues = healthIssues(p);
    throw new ProvisioningFailedError(
      `EKS could not create Fargate profile ${name}${issues ? `: ${issues}` : ''}. Fix the cause and apply again: the failed profile is deleted and created anew`,
    );
  }
  if (status === 'DELETE_FAILED') {
    const issues = healthIssues(p);
    throw new ProvisioningFailedError(`EKS could not delete Fargate profile ${name}${issues ? `: ${issues}` : ''}`);
  }
  const settled = waitFor === 'active' ? status === 'ACTIVE' : false;
  return { profileName: name, waitFor, status, settled, polls, waitSeconds: waitSecondsAfter(polls) };
}

export async function checkProfile(
  eks: EKSClient,
  clusterName: string,
  name: string,
  waitFor: 'active' | 'gone',
  polls: number,
  maxPolls: number,
): Promise<ProfileProgress> {
  const progress = progressOf(await describeProfile(eks, clusterName, name), name, waitFor, polls);
  if (!progress.settled && polls >= maxPolls) {
    throw new TerminalError(
      `Fargate profile ${name} is still ${progress.status} after ${polls} checks; look at it in the EKS console, then replay the execution`,
    );
  }
  return progress;
}

export interface CreateOptions {
  /** The pod execution role was created by this execution: IAM may not have propagated it to EKS yet. */
  roleJustCreated: boolean;
}

export async function createProfile(eks: EKSClient, ref: GroupRef, decision: ProfileDecision, options: CreateOptions): Promise<ProfileProgress> {
  const input = decision.create;
  if (!input?.fargateProfileName) throw new TerminalError('Create Fargate Profile was called without a create request');
  const name = input.fargateProfileName;
  let profile: FargateProfile | undefined;
  try {
    profile = (await eks.send(new CreateFargateProfileCommand(input))).fargateProfile;
  } catch (error) {
    if (isAlreadyExists(error)) {
      profile = await describeProfile(eks, ref.clusterName, name);
      if (!profile || !ownedBy(profile.tags, ref)) {
        throw new NameConflictError(
          `A Fargate profile named ${name} already exists in cluster ${ref.clusterName} and was not created by instance-manager for this group`,
          { cause: error },
        );
      }
    } else if (options.roleJustCreated && awsErrorName(error) === 'InvalidParameterException' && /role/i.test(awsErrorMessage(error))) {
      throw new RetryableError(
        `EKS does not accept pod execution role ${input.podExecutionRoleArn} yet (IAM propagates new roles within seconds): ${awsErrorMessage(error)}`,
        { cause: error },
      );
    } else {
      throw awsFailure(error, `Creating Fargate profile ${name}`);
    }
  }
  return progressOf(profile, name, 'active', 0);
}

export async function tagProfile(eks: EKSClient, clusterName: string, decision: ProfileDecision): Promise<ProfileProgress> {
  const name = decision.profileName ?? '';
  const { resourceArn, tag, untag } = decision.updateTags!;
  if (Object.keys(tag).length) await awsCall(`Tagging Fargate profile ${name}`, () => eks.send(new TagResourceCommand({ resourceArn, tags: tag })));
  if (untag.length) await awsCall(`Untagging Fargate profile ${name}`, () => eks.send(new UntagResourceCommand({ resourceArn, tagKeys: untag })));
  return progressOf(await describeProfile(eks, clusterName, name), name, 'active', 0);
}

export async function deleteProfile(eks: EKSClient, clusterName: string, name: string): Promise<ProfileProgress> {
  const deleted = await awsFind(`Deleting Fargate profile ${name}`, () =>
    eks.send(new DeleteFargateProfileCommand({ clusterName, fargateProfileName: name })),
  );
  if (!deleted) return progressOf(undefined, name, 'gone', 0);
  return progressOf(await describeProfile(eks, clusterName, name), name, 'gone', 0);
}
